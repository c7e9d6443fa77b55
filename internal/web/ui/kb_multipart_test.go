package ui_test

import (
	"io"
	"mime/multipart"
)

// mp builds a multipart body with named files (the upload helper in
// helpers_test.go sends one "attachments" file only).
type mp struct{ w *multipart.Writer }

func newMultipart(out io.Writer) *mp { return &mp{w: multipart.NewWriter(out)} }

func (m *mp) field(k, v string) { _ = m.w.WriteField(k, v) }

func (m *mp) file(field, name string, data []byte) {
	fw, _ := m.w.CreateFormFile(field, name)
	_, _ = fw.Write(data)
}

func (m *mp) close() string {
	_ = m.w.Close()
	return m.w.FormDataContentType()
}
