package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// examples/load/job.yaml parses, is an Indexed Job whose pods all run at
// once, and runs an sseready load command line that sseready accepts,
// with the shard from the pod's completion index.
func TestLoadKubernetesExample(t *testing.T) {
	b, err := os.ReadFile("../../examples/load/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type container struct {
		Image   string   `yaml:"image"`
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				SecretKeyRef struct{ Name, Key string } `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
	}
	type doc struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct{ Name string }
		StringData map[string]string `yaml:"stringData"`
		Spec       struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			BackoffLimit   *int   `yaml:"backoffLimit"`
			Template       struct {
				Spec struct {
					RestartPolicy string      `yaml:"restartPolicy"`
					Containers    []container `yaml:"containers"`
				}
			}
		}
	}
	var docs []doc
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var d doc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("job.yaml: %v", err)
		}
		docs = append(docs, d)
	}
	if len(docs) != 2 || docs[0].Kind != "Secret" || docs[1].Kind != "Job" || docs[1].APIVersion != "batch/v1" {
		t.Fatalf("want a Secret and a batch/v1 Job, got %+v", docs)
	}
	job := docs[1].Spec
	if job.CompletionMode != "Indexed" || job.Completions < 2 || job.Parallelism != job.Completions ||
		job.BackoffLimit == nil || *job.BackoffLimit != 0 || job.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("job spec %+v: want Indexed, every shard at once, no retries", job)
	}
	if len(job.Template.Spec.Containers) != 1 {
		t.Fatal("want one container")
	}
	c := job.Template.Spec.Containers[0]
	env := map[string]string{"JOB_COMPLETION_INDEX": "1"}
	secret := ""
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef.Name == docs[0].Metadata.Name {
			secret = e.Name
			env[e.Name] = docs[0].StringData[e.ValueFrom.SecretKeyRef.Key]
		}
	}
	if env["SHARDS"] != strconv.Itoa(job.Completions) || secret == "" {
		t.Fatalf("SHARDS %q for %d completions; secret env %q", env["SHARDS"], job.Completions, secret)
	}
	if strings.Join(c.Command, " ") != "sh -c" || len(c.Args) != 1 {
		t.Fatalf("command %q, args %q", c.Command, c.Args)
	}
	script := strings.Split(strings.TrimSpace(c.Args[0]), "\n")
	words := shellWords(t, script[0], env)
	if len(words) < 3 || words[0] != "sseready" || words[1] != "load" || words[len(words)-1] != "2>/dev/termination-log" {
		t.Fatalf("the script's first line is not sseready load ... 2>/dev/termination-log: %q", words)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var stderr bytes.Buffer
	f, code := parseLoad(words[2:len(words)-1], strings.NewReader(""), &stderr)
	if f == nil {
		t.Fatalf("sseready refuses the example's command line (exit %d): %s", code, stderr.String())
	}
	if f.opts.Shard.Index != 1 || f.opts.Shard.Count != job.Completions || f.format != "json" || f.opts.Request.Method != "POST" ||
		f.opts.Request.Header.Get("api-key") != docs[0].StringData["api-key"] {
		t.Fatalf("shard %s, format %s, method %s", f.opts.Shard, f.format, f.opts.Request.Method)
	}
	if script[1] != `code=$?; [ "$code" -le 1 ]` {
		t.Fatalf("the script's last line %q: exit 1 (a result) must not fail the pod", script[1])
	}
}

// shellWords splits a line as sh does for the quoting the example uses:
// single quotes, double quotes with $NAME expanded, and bare words.
func shellWords(t *testing.T, line string, env map[string]string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	in, started := byte(0), false
	expand := func(i int) int {
		j := i + 1
		for j < len(line) && (line[j] == '_' || line[j] >= 'A' && line[j] <= 'Z' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= '0' && line[j] <= '9') {
			j++
		}
		v, ok := env[line[i+1:j]]
		if !ok {
			t.Fatalf("$%s is not in the container's env", line[i+1:j])
		}
		w.WriteString(v)
		return j - 1
	}
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case in == '\'' && ch == '\'', in == '"' && ch == '"':
			in = 0
		case in == '\'':
			w.WriteByte(ch)
		case ch == '$':
			i = expand(i)
			started = true
		case in == '"':
			w.WriteByte(ch)
		case ch == '\'' || ch == '"':
			in, started = ch, true
		case ch == ' ':
			if started {
				words = append(words, w.String())
				w.Reset()
				started = false
			}
		default:
			w.WriteByte(ch)
			started = true
		}
	}
	if in != 0 {
		t.Fatalf("unterminated quote in %q", line)
	}
	if started {
		words = append(words, w.String())
	}
	return words
}
