//go:build !race

package testslack

const raceEnabled = false
