package report

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// document is the report's content, independent of the output format. Inline text may
// use **bold** and `code`, which both renderers understand.
type document struct {
	title  string
	blocks []block
}

type block interface{ isBlock() }

type heading struct {
	level int // 2 or 3
	text  string
}

type paragraph struct{ text string }

type table struct {
	header []string
	rows   [][]string
}

type list struct {
	ordered bool
	items   []string
}

type image struct{ alt, path string }

type rule struct{}

func (heading) isBlock()   {}
func (paragraph) isBlock() {}
func (table) isBlock()     {}
func (list) isBlock()      {}
func (image) isBlock()     {}
func (rule) isBlock()      {}

func (d *document) h2(text string) { d.blocks = append(d.blocks, heading{2, text}) }
func (d *document) h3(text string) { d.blocks = append(d.blocks, heading{3, text}) }
func (d *document) p(text string)  { d.blocks = append(d.blocks, paragraph{text}) }
func (d *document) table(t table)  { d.blocks = append(d.blocks, t) }
func (d *document) list(ordered bool, items []string) {
	if len(items) > 0 {
		d.blocks = append(d.blocks, list{ordered, items})
	}
}
func (d *document) image(alt, path string) { d.blocks = append(d.blocks, image{alt, path}) }
func (d *document) rule()                  { d.blocks = append(d.blocks, rule{}) }

// markdown renders d as GitHub Markdown.
func (d *document) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", d.title)
	for _, bl := range d.blocks {
		b.WriteString("\n")
		switch x := bl.(type) {
		case heading:
			fmt.Fprintf(&b, "%s %s\n", strings.Repeat("#", x.level), x.text)
		case paragraph:
			b.WriteString(x.text + "\n")
		case table:
			row := func(cells []string) {
				esc := make([]string, len(cells))
				for i, c := range cells {
					esc[i] = strings.ReplaceAll(c, "|", `\|`)
				}
				b.WriteString("| " + strings.Join(esc, " | ") + " |\n")
			}
			row(x.header)
			b.WriteString("|" + strings.Repeat("---|", len(x.header)) + "\n")
			for _, r := range x.rows {
				row(r)
			}
		case list:
			for i, it := range x.items {
				if x.ordered {
					fmt.Fprintf(&b, "%d. %s\n", i+1, it)
				} else {
					fmt.Fprintf(&b, "- %s\n", it)
				}
			}
		case image:
			fmt.Fprintf(&b, "![%s](%s)\n", x.alt, x.path)
		case rule:
			b.WriteString("---\n")
		}
	}
	return b.String()
}

var (
	boldRe = regexp.MustCompile(`\*\*(.+?)\*\*`)
	codeRe = regexp.MustCompile("`([^`]+)`")
)

// inlineHTML escapes s and turns **x** and `x` into <strong> and <code>.
func inlineHTML(s string) string {
	s = html.EscapeString(s)
	s = codeRe.ReplaceAllString(s, "<code>$1</code>")
	return boldRe.ReplaceAllString(s, "<strong>$1</strong>")
}

// html renders d as a self-contained HTML page (images by relative path).
func (d *document) html(lang string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", lang, html.EscapeString(d.title))
	b.WriteString("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}" +
		"table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}" +
		"th{background:#f3f3f3}img{max-width:100%}code{background:#f3f3f3;padding:0 .2em}</style>\n</head>\n<body>\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n", inlineHTML(d.title))
	for _, bl := range d.blocks {
		switch x := bl.(type) {
		case heading:
			fmt.Fprintf(&b, "<h%d>%s</h%d>\n", x.level, inlineHTML(x.text), x.level)
		case paragraph:
			fmt.Fprintf(&b, "<p>%s</p>\n", inlineHTML(x.text))
		case table:
			b.WriteString("<table>\n<tr>")
			for _, c := range x.header {
				fmt.Fprintf(&b, "<th>%s</th>", inlineHTML(c))
			}
			b.WriteString("</tr>\n")
			for _, r := range x.rows {
				b.WriteString("<tr>")
				for _, c := range r {
					fmt.Fprintf(&b, "<td>%s</td>", inlineHTML(c))
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
		case list:
			tag := "ul"
			if x.ordered {
				tag = "ol"
			}
			fmt.Fprintf(&b, "<%s>\n", tag)
			for _, it := range x.items {
				fmt.Fprintf(&b, "<li>%s</li>\n", inlineHTML(it))
			}
			fmt.Fprintf(&b, "</%s>\n", tag)
		case image:
			fmt.Fprintf(&b, "<p><img src=\"%s\" alt=\"%s\"></p>\n", html.EscapeString(x.path), html.EscapeString(x.alt))
		case rule:
			b.WriteString("<hr>\n")
		}
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}
