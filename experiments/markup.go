package experiments

import (
	"fmt"
	"html"
	"strings"
)

// page is a report as a list of blocks, rendered to Markdown or HTML. Text
// may use `code` and **strong** spans.
type page struct {
	title  string
	blocks []block
}

type block struct {
	kind   string // "h2", "h3", "p", "ul", "table", "img", "pre"
	text   string
	items  []string   // ul
	header []string   // table
	rows   [][]string // table
	align  []bool     // table: right-align column
	file   string     // img: path relative to the report
	svg    []byte     // img: the picture
}

func (p *page) h2(s string) { p.blocks = append(p.blocks, block{kind: "h2", text: s}) }
func (p *page) h3(s string) { p.blocks = append(p.blocks, block{kind: "h3", text: s}) }
func (p *page) para(format string, a ...any) {
	p.blocks = append(p.blocks, block{kind: "p", text: fmt.Sprintf(format, a...)})
}
func (p *page) list(items ...string) { p.blocks = append(p.blocks, block{kind: "ul", items: items}) }
func (p *page) table(header []string, align []bool, rows [][]string) {
	p.blocks = append(p.blocks, block{kind: "table", header: header, align: align, rows: rows})
}
func (p *page) img(alt, file string, svg []byte) {
	p.blocks = append(p.blocks, block{kind: "img", text: alt, file: file, svg: svg})
}

// markdown renders the page as GitHub-flavoured Markdown.
func (p *page) markdown() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", p.title)
	for _, bl := range p.blocks {
		b.WriteString("\n")
		switch bl.kind {
		case "h2":
			fmt.Fprintf(&b, "## %s\n", bl.text)
		case "h3":
			fmt.Fprintf(&b, "### %s\n", bl.text)
		case "p":
			fmt.Fprintf(&b, "%s\n", bl.text)
		case "ul":
			for _, it := range bl.items {
				fmt.Fprintf(&b, "- %s\n", it)
			}
		case "pre":
			fmt.Fprintf(&b, "```\n%s\n```\n", strings.TrimRight(bl.text, "\n"))
		case "img":
			fmt.Fprintf(&b, "![%s](%s)\n", bl.text, bl.file)
		case "table":
			cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
			b.WriteString("|")
			for _, h := range bl.header {
				b.WriteString(" " + cell(h) + " |")
			}
			b.WriteString("\n|")
			for i := range bl.header {
				if i < len(bl.align) && bl.align[i] {
					b.WriteString("---:|")
				} else {
					b.WriteString("---|")
				}
			}
			b.WriteString("\n")
			for _, r := range bl.rows {
				b.WriteString("|")
				for _, c := range r {
					b.WriteString(" " + cell(c) + " |")
				}
				b.WriteString("\n")
			}
		}
	}
	return []byte(b.String())
}

const pageCSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:0.5rem 0 1rem;font-size:0.9rem}
th,td{border:1px solid #ccc;padding:0.25rem 0.5rem;vertical-align:top}
th{background:#f3f3f3}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:0.85rem}
pre{background:#f6f6f6;padding:0.5rem;overflow:auto}
figure{margin:1rem 0}
figure svg{max-width:100%;height:auto}
figcaption{font-size:0.85rem;color:#555}
h1,h2,h3{line-height:1.2}`

// html renders the page as one self-contained HTML document with the
// pictures inline.
func (p *page) html() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n<h1>%s</h1>\n",
		html.EscapeString(p.title), pageCSS, inline(p.title))
	for _, bl := range p.blocks {
		switch bl.kind {
		case "h2", "h3":
			fmt.Fprintf(&b, "<%s>%s</%s>\n", bl.kind, inline(bl.text), bl.kind)
		case "p":
			fmt.Fprintf(&b, "<p>%s</p>\n", inline(bl.text))
		case "ul":
			b.WriteString("<ul>\n")
			for _, it := range bl.items {
				fmt.Fprintf(&b, "<li>%s</li>\n", inline(it))
			}
			b.WriteString("</ul>\n")
		case "pre":
			fmt.Fprintf(&b, "<pre>%s</pre>\n", html.EscapeString(strings.TrimRight(bl.text, "\n")))
		case "img":
			fmt.Fprintf(&b, "<figure>\n%s\n<figcaption>%s</figcaption>\n</figure>\n", inlineSVG(bl.svg), inline(bl.text))
		case "table":
			b.WriteString("<table>\n<thead><tr>")
			for i, h := range bl.header {
				fmt.Fprintf(&b, "<th%s>%s</th>", cls(bl.align, i), inline(h))
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			for _, r := range bl.rows {
				b.WriteString("<tr>")
				for i, c := range r {
					fmt.Fprintf(&b, "<td%s>%s</td>", cls(bl.align, i), inline(c))
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		}
	}
	b.WriteString("</body>\n</html>\n")
	return []byte(b.String())
}

func cls(align []bool, i int) string {
	if i < len(align) && align[i] {
		return ` class="r"`
	}
	return ""
}

// inline escapes s for HTML and turns `code` and **strong** spans into
// elements.
func inline(s string) string {
	var b strings.Builder
	parts := strings.Split(s, "`")
	for i, part := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + html.EscapeString(part) + "</code>")
			continue
		}
		if i%2 == 1 { // unmatched backtick
			b.WriteString("`")
		}
		strong := strings.Split(part, "**")
		for j, t := range strong {
			if j%2 == 1 && j < len(strong)-1 {
				b.WriteString("<strong>" + html.EscapeString(t) + "</strong>")
				continue
			}
			if j%2 == 1 {
				b.WriteString("**")
			}
			b.WriteString(html.EscapeString(t))
		}
	}
	return b.String()
}

// inlineSVG strips the XML prologue of an SVG file for inclusion in HTML.
func inlineSVG(svg []byte) string {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return strings.TrimSpace(s)
}
