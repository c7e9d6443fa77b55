package chat

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeVisitorFrame(t *testing.T) {
	cases := []struct {
		in    string
		code  string
		fatal bool
	}{
		{`{"type":"hello","visitor_token":"v1.x.y","last_seq":3}`, "", false},
		{`{"type":"send","ref":"r1","text":"hi"}`, "", false},
		{`{"type":"send","ref":"r1","text":"  "}`, CodeBadFrame, false},
		{`{"type":"send","text":"` + strings.Repeat("é", MaxTextRunes+1) + `"}`, CodeTooLarge, false},
		{`{"type":"subscribe","conversation":"x"}`, CodeBadFrame, true}, // agent-only type
		{`{"type":"rate","score":9}`, CodeBadFrame, false},
		{`{"type":"read","seq":-1}`, CodeBadFrame, true},
		{`{"type":"hello","conversation":"not-a-uuid"}`, CodeBadFrame, true},
		{`{"type":"send","text":"x","attachments":["a","b","c","d","e","f"]}`, CodeInvalidUpload, false},
		{`[1,2]`, CodeBadFrame, true},
		{`{"type":"ping"} {"type":"ping"}`, CodeBadFrame, true},
		{"{\"type\":\"send\",\"text\":\"\xff\"}", CodeBadFrame, true},
		{`{"type":"ping","ref":"` + strings.Repeat("r", 65) + `"}`, CodeBadFrame, true},
	}
	for _, tc := range cases {
		_, err := DecodeVisitorFrame([]byte(tc.in))
		if tc.code == "" {
			if err != nil {
				t.Errorf("%.60s: %v", tc.in, err)
			}
			continue
		}
		var fe *FrameError
		if !errors.As(err, &fe) || fe.Code != tc.code || fe.Fatal != tc.fatal {
			t.Errorf("%.60s: got %v, want %s fatal=%v", tc.in, err, tc.code, tc.fatal)
		}
	}
	big := `{"type":"send","text":"` + strings.Repeat("x", MaxFrameBytes) + `"}`
	if _, err := DecodeVisitorFrame([]byte(big)); ErrorCode(err) != CodeTooLarge {
		t.Errorf("oversized frame: %v", err)
	}
}

// FuzzDecodeFrame: whatever arrives, the decoder answers a frame that keeps
// the protocol's limits or a FrameError; it never panics.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{`{"type":"hello"}`, `{"type":"send","ref":"a","text":"hi","attachments":["t"]}`,
		`{"type":"start","text":"x","email":"a@b.c","name":"n","topic":"t"}`, `{"type":"rate","score":3}`,
		`{"type":"subscribe","conversation":"01936b2e-0000-7000-8000-000000000000","after":2}`,
		`{"type":"presence","status":"away"}`, `{"type":"hello","identity":{"user_id":"1","email":"a@b","signature":"ff"}}`,
		`{"type":1}`, `null`, `{"type":"send","text":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dec := range []func([]byte) (ClientFrame, error){DecodeVisitorFrame, DecodeAgentFrame} {
			fr, err := dec(data)
			if err != nil {
				var fe *FrameError
				if !errors.As(err, &fe) || fe.Code == "" {
					t.Fatalf("error without a protocol code: %v", err)
				}
				if fr.Type != "" {
					t.Fatalf("a refused frame carries a type: %+v", fr)
				}
				continue
			}
			if !visitorTypes[fr.Type] && !agentTypes[fr.Type] {
				t.Fatalf("unknown type accepted: %q", fr.Type)
			}
			if len(data) > MaxFrameBytes || utf8.RuneCountInString(fr.Text) > MaxTextRunes || len(fr.Ref) > MaxRefLen ||
				len(fr.Attachments) > MaxAttachments || fr.Seq < 0 || fr.After < 0 || fr.LastSeq < 0 {
				t.Fatalf("limits not kept: %+v", fr)
			}
			if _, err := json.Marshal(fr); err != nil {
				t.Fatal(err)
			}
		}
	})
}
