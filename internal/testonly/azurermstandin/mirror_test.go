package azurermstandin

import (
	"strings"
	"testing"
)

func TestBuildMirrorRefusesABadAddress(t *testing.T) {
	_, err := BuildMirror(t.TempDir(), MirrorProvider{Address: "sseready/sseready", Version: "0.1.0", Package: "."})
	if err == nil || !strings.Contains(err.Error(), "HOST/NAMESPACE/TYPE") {
		t.Fatalf("err = %v, want one naming the address form", err)
	}
}

func TestMirrorConfigInstallsFromTheMirrorOnly(t *testing.T) {
	got := mirrorConfig("/tmp/m")
	want := "provider_installation {\n  filesystem_mirror {\n    path = \"/tmp/m\"\n  }\n}\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
