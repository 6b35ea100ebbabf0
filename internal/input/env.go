package input

import (
	"fmt"
	"os"
)

// Env reads a secret, such as an API key, from the environment variable
// name. It is how sseready takes keys, so that they stay out of argv and
// output (the CLI's --header-env) and out of configuration, plan and state
// (the provider's headers_from_env, read in the provider's process). A
// variable that is unset or empty is an error, never an empty value: a
// request sent without its key fails for a reason that hides this one.
func Env(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no environment variable is named")
	}
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("the environment variable %s is not set or empty", name)
	}
	return v, nil
}
