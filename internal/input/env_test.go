package input

import "testing"

func TestEnv(t *testing.T) {
	t.Setenv("SSEREADY_INPUT_KEY", "k-1")
	t.Setenv("SSEREADY_INPUT_EMPTY", "")
	if v, err := Env("SSEREADY_INPUT_KEY"); v != "k-1" || err != nil {
		t.Errorf("a set variable: %q, %v", v, err)
	}
	for name, want := range map[string]string{
		"SSEREADY_INPUT_UNSET": "the environment variable SSEREADY_INPUT_UNSET is not set or empty",
		"SSEREADY_INPUT_EMPTY": "the environment variable SSEREADY_INPUT_EMPTY is not set or empty",
		"":                     "no environment variable is named",
	} {
		if v, err := Env(name); v != "" || err == nil || err.Error() != want {
			t.Errorf("Env(%q) = %q, %v; want the error %q", name, v, err, want)
		}
	}
}
