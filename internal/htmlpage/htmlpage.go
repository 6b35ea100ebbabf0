// Package htmlpage is the skeleton every HTML page sseready writes shares
// (the load report, and the pictures of a stream's path): one
// self-contained document whose Content-Security-Policy lets it load
// nothing and run no script, with the styles the pages have in common.
// A page is an html/template that defines "title", "style" (its own
// styles) and "body"; its charts are inline SVG drawn by its own package.
// It depends on nothing of sseready's, so any page's package may use it.
package htmlpage

import "html/template"

// CSP lets a page load nothing (no image, font, style sheet or frame) and
// run no script: only its own inline styles apply.
const CSP = "default-src 'none'; style-src 'unsafe-inline'"

// BaseCSS are the styles every page shares.
const BaseCSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 2px 12px 2px 0; text-align: left; }
.legend span { margin-right: 16px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
`

const skeleton = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="` + CSP + `">
<title>{{template "title" .}}</title>
<style>
` + BaseCSS + `{{template "style" .}}</style>
</head>
<body>
{{template "body" .}}
</body>
</html>
`

// New is a page named name: the skeleton, funcs, and content, which
// defines the templates "title", "style" and "body".
func New(name string, funcs template.FuncMap, content string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Parse(skeleton)
	if err != nil {
		return nil, err
	}
	return t.Parse(content)
}

// Must is New for pages written in the program: it panics on an error.
func Must(name string, funcs template.FuncMap, content string) *template.Template {
	return template.Must(New(name, funcs, content))
}
