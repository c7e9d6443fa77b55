package blob

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestDirStoresAndRefusesOversize(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	key, n, err := d.Put(ctx, strings.NewReader("hello"), 10)
	if err != nil || n != 5 {
		t.Fatal(n, err)
	}
	f, err := d.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "hello" {
		t.Fatalf("read %q", b)
	}
	if _, _, err := d.Put(ctx, strings.NewReader("0123456789ab"), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	entries, _ := os.ReadDir(d.Root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".upload-") {
			t.Fatalf("temp file left behind: %s", e.Name())
		}
	}
	if _, err := d.Open(ctx, "../../etc/passwd"); err == nil {
		t.Fatal("path traversal key accepted")
	}
}
