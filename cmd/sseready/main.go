// Command sseready checks and fixes Azure gateway settings for
// Server-Sent Events, with the same rules as the Terraform provider.
//
//	sseready lint [--scope global|workspace|product|api|operation] [--fragment NAME=FILE]... [--accept RULE[: reason]]... [--format text|json|sarif|markdown] [--report FILE.html] [--fix | -w] FILE|DIR...|-
//	sseready rules [--format text|json]
//	sseready check-chain [--format text|json|sarif|markdown] [--report FILE.html] FILE|-
//	sseready check-plan [--format text|json|sarif|markdown] [--report FILE.html] [--max-event-gap D --heartbeat D | --profile FILE] [--streaming auto|all] [--stream-api NAME]... FILE|-
//	sseready backend --listen ADDR [--events N] [--interval D] [--heartbeat D] [--first-event-delay D] [--silence-after N --silence D] [--chat-completions | --responses | --messages | --mcp] [--ending final|error|incomplete|none] [--compress gzip|br|deflate [--compress-mode flush|whole]] [--omit-header NAME] [--allow-origin ORIGIN]
//	sseready gateway --listen ADDR --upstream URL [--apim-policy [SCOPE=]FILE]... [--apim-sku SKU] [--apim-diagnostic FILE] [--appgw-settings FILE] [--time-scale F]
//	sseready probe URL [--events N] [--duration D] [--header K:V] [--protocol P] [--compressed] [--mcp-tool NAME [--mcp-args JSON] [--mcp-transport auto|streamable_http|http_sse]] [--format text|json]
//	sseready prove [--chain FILE | --appgw-settings FILE] [--apim-policy [SCOPE=]FILE... [--apim-sku SKU] [--apim-diagnostic FILE]] [--time-scale F] [--format text|json] [--report FILE.html]
//	sseready init --out DIR [--from-apiops TREE --api NAME | --from-plan PLAN.json --api ADDRESS] [--api-name NAME] [--path P] [--apim-sku SKU] [--hops LIST] [--logger NAME=ID]... [--operation ID=METHOD:/url]... [--force]
//	sseready load URL [--streams N] [--rate R] [--duration D] [--events N] [--warmup D] [--protocol P] [--compressed] [--mcp-tool NAME ...] [--shard i/n] [--max-latency D] [--idle-timeout D] [--header K:V] [--format text|json] [--report FILE.html]
//	sseready load merge [--format text|json] [--report FILE.html] RESULT.json...
//	sseready version
//
// Each command is a run* function in its own file (lint.go, checkchain.go,
// checkplan.go, serve.go for backend and gateway, probe.go, prove.go,
// init.go, load.go), which parses flags and prints; what the commands
// decide lives in internal/ (README.md's layout says which package owns
// what).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time (goreleaser, the Makefile).
var version = "dev"

// Exit codes shared by every command.
const (
	exitOK       = 0 // every input is ready
	exitFindings = 1 // some input has an error finding
	exitInput    = 2 // some input cannot be read or parsed, or the command line is wrong
)

const usage = `sseready checks Azure gateway settings for Server-Sent Events.

Usage:
  sseready lint [flags] FILE|DIR  check APIM policy files, or an APIOps tree (- reads standard input)
  sseready rules [flags]          list the rules with their IDs and severities
  sseready check-chain FILE       check every hop of a stream's path, as sseready_chain_check does
  sseready check-plan FILE        check the azurerm resources of a Terraform plan or state, path by path
  sseready backend [flags]        run a test SSE origin
  sseready gateway [flags]        run a local stand-in for an APIM or App Gateway hop
  sseready probe [flags] URL      read an SSE endpoint and report how the stream arrives
  sseready prove [flags]          run a test stream through emulated hops with your settings
  sseready init --out DIR [flags] write a Terraform module for a streaming API behind APIM, with its test
  sseready load [flags] URL       open many streams at once and measure them (load merge: add up shards)
  sseready version                print the version

Run 'sseready COMMAND --help' for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: tests call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is run for commands that serve until ctx ends.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitInput
	}
	switch args[0] {
	case "lint":
		return runLint(args[1:], stdin, stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "check-chain":
		return runCheckChain(args[1:], stdin, stdout, stderr)
	case "check-plan":
		return runCheckPlan(args[1:], stdin, stdout, stderr)
	case "backend":
		return runBackend(ctx, args[1:], stderr)
	case "gateway":
		return runGateway(ctx, args[1:], stdin, stderr)
	case "probe":
		return runProbe(ctx, args[1:], stdin, stdout, stderr)
	case "prove":
		return runProve(ctx, args[1:], stdin, stdout, stderr)
	case "init":
		return runInit(args[1:], stdout, stderr)
	case "load":
		return runLoad(ctx, args[1:], stdin, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "sseready %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "sseready: unknown command %q\n\n%s", args[0], usage)
		return exitInput
	}
}
