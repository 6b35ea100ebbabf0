package main

import (
	"errors"
	"flag"
	"time"
)

// durationValue is a duration flag whose errors say how to write one
// (the flag package's own says only "parse error").
type durationValue struct{ p *time.Duration }

func (d durationValue) String() string {
	if d.p == nil {
		return ""
	}
	return d.p.String()
}

func (d durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New(`not a duration: write a number with a unit, such as "500ms", "90s", "4m" or "1h30m"`)
	case v < 0:
		return errors.New("negative: give a length of time, such as \"90s\"")
	}
	*d.p = v
	return nil
}

func durationVar(fs *flag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(durationValue{p}, name, usage)
}
