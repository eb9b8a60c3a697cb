package lexicon

import (
	"unicode"
	"unicode/utf8"
)

// quoteCloser returns the closing mark for the paired opening quotation
// mark r, or 0 when r opens no pair.
func quoteCloser(r rune) rune {
	switch r {
	case '「':
		return '」'
	case '『':
		return '』'
	case '“':
		return '”'
	case '‘':
		return '’'
	case '«':
		return '»'
	case '《':
		return '》'
	}
	return 0
}

// isQuoteCloser reports whether r closes one of quoteCloser's pairs.
func isQuoteCloser(r rune) bool {
	switch r {
	case '」', '』', '”', '’', '»', '》':
		return true
	}
	return false
}

// quoteSpan is the content of one closed quotation: text[open:close].
type quoteSpan struct{ open, close int }

// quoteSpanList is every closed quotation of one text.
type quoteSpanList []quoteSpan

// contain reports whether [start, end) lies inside one of the quotations.
func (qs quoteSpanList) contain(start, end int) bool {
	for _, q := range qs {
		if q.open <= start && end <= q.close {
			return true
		}
	}
	return false
}

// quoteSpans lists the quotations of text that are closed. Marks nest; a
// closing mark pairs with the innermost open mark of its kind, and any
// marks opened inside it that were never closed are discarded.
func quoteSpans(text string) quoteSpanList {
	type opened struct {
		closer rune
		at     int // byte offset just after the opening mark
	}
	var (
		stack []opened
		spans quoteSpanList
		// open counts the stack entries per closing mark, so that a
		// closing mark with nothing to close costs nothing even when the
		// stack is deep.
		open = map[rune]int{}
	)
	push := func(closer rune, at int) {
		stack = append(stack, opened{closer: closer, at: at})
		open[closer]++
	}
	closeAt := func(closer rune, at int) bool {
		if open[closer] == 0 {
			return false
		}
		k := len(stack) - 1
		for stack[k].closer != closer {
			k--
		}
		spans = append(spans, quoteSpan{open: stack[k].at, close: at})
		for _, o := range stack[k:] {
			open[o.closer]--
		}
		stack = stack[:k]
		return true
	}

	prev := rune(-1)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next, _ := utf8.DecodeRuneInString(text[i+size:])
		switch {
		case r == '"' || r == '＂':
			// Straight double quotes look the same at both ends, so they
			// toggle.
			if !closeAt(r, i) {
				push(r, i+size)
			}
		case (r == '\'' || r == '’') && isWordRune(prev) && isWordRune(next):
			// An apostrophe: "don't", "don’t".
		case r == '\'':
			switch {
			case open['\''] > 0 && prev >= 0 && !unicode.IsSpace(prev):
				closeAt('\'', i)
			case !isWordRune(prev) && next != utf8.RuneError && !unicode.IsSpace(next):
				push('\'', i+size)
			}
		case isQuoteCloser(r):
			closeAt(r, i)
		default:
			if c := quoteCloser(r); c != 0 {
				push(c, i+size)
			}
		}
		prev = r
		i += size
	}
	return spans
}
