//! Low-level reading of classic config text: C's character classes as logrotate 3.21 uses
//! them, word splitting with quotes, and a [`Cursor`] that tracks line numbers.

/// C's `isspace()` in the "C" locale, which is what logrotate 3.21 splits words on: space,
/// `\t`, `\n`, `\v`, `\f` and `\r`. Every other character, a no-break space (U+00A0)
/// included, is part of a word.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// What may stand before a keyword or after `}` on a line: space and tab (C's `isblank()`),
/// and the `\r` of a CRLF line end.
pub(super) fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r')
}

/// Outside a stanza, a line that does not begin with a keyword must begin a file name as
/// logrotate 3.21 accepts it (or be the `{` of a stanza that lacks one).
pub(super) fn is_pattern_start(c: char) -> bool {
    matches!(c, '/' | '"' | '\'' | '~' | '{')
}

/// A character as logrotate prints it with `%#x` of a (signed) C `char`: its first UTF-8 byte,
/// sign-extended.
pub(super) fn c_char_hex(c: char) -> String {
    let mut buf = [0; 4];
    match c.encode_utf8(&mut buf).as_bytes()[0] {
        0 => "0".to_string(),
        byte => format!("{:#x}", i32::from(byte as i8) as u32),
    }
}

/// Splits directive arguments on whitespace ([`is_space`]), honouring double and single
/// quotes. A `{` or `}` outside quotes is a word of its own.
pub fn split_args(text: &str) -> Vec<String> {
    let mut cur = Cursor::new(text);
    let mut out = Vec::new();
    loop {
        cur.skip_space();
        match cur.peek() {
            None => break,
            // A brace is a word of its own here (`read_word` stops at it).
            Some(c @ ('{' | '}')) => {
                cur.bump();
                out.push(c.to_string());
            }
            Some(_) => out.push(cur.read_word()),
        }
    }
    out
}

/// A position in config text that tracks line numbers.
pub(super) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    pub(super) line: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0, line: 1 }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Skips what may separate statements: blanks ([`is_blank`]) and newlines. A `\v`, `\f`
    /// or U+00A0 at the start of a line is not skipped; logrotate rejects such a line.
    pub(super) fn skip_blank(&mut self) {
        while self.peek().is_some_and(|c| is_blank(c) || c == '\n') {
            self.bump();
        }
    }

    /// Skips what separates words ([`is_space`]), newlines included.
    pub(super) fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.bump();
        }
    }

    pub(super) fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    /// The rest of the current line (without the newline); the cursor moves past the newline.
    pub(super) fn rest_of_line(&mut self) -> &'a str {
        let start = self.pos;
        let end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        self.pos = end;
        self.bump();
        &self.text[start..end]
    }

    pub(super) fn read_key(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.bump();
        }
        self.text[start..self.pos].to_ascii_lowercase()
    }

    /// Reads one word, removing quotes; stops at [`is_space`] or `{`/`}` outside quotes.
    /// Always consumes at least one character unless it is at one of those or at the end, so
    /// a caller that skipped [`is_space`] first always makes progress.
    pub(super) fn read_word(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            match c {
                '"' | '\'' => {
                    self.bump();
                    while let Some(q) = self.bump() {
                        if q == c {
                            break;
                        }
                        if q == '\\' && c == '"' && matches!(self.peek(), Some('"' | '\\')) {
                            out.push(self.bump().unwrap_or('\\'));
                            continue;
                        }
                        out.push(q);
                    }
                }
                c if is_space(c) || c == '{' || c == '}' => break,
                _ => {
                    out.push(c);
                    self.bump();
                }
            }
        }
        out
    }

    /// Reads the file patterns of a stanza header up to and including `{` (which may be on a
    /// later line), and the header text as written. Comment lines between are skipped.
    pub(super) fn read_patterns(&mut self) -> Result<(Vec<String>, String), String> {
        let mut patterns = Vec::new();
        let start = self.pos;
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err("missing '{' after log file names".into()),
                Some('{') => {
                    let header = self.text[start..self.pos].to_string();
                    self.bump();
                    return Ok((patterns, header));
                }
                Some('}') => return Err("unexpected } in log file names".into()),
                Some('#') => self.skip_line(),
                Some(_) => patterns.push(self.read_word()),
            }
        }
    }

    /// Reads script lines after the keyword's line up to a line that is `endscript`.
    /// Returns `None` (and consumes the rest) if no `endscript` follows.
    pub(super) fn read_script(&mut self) -> Option<String> {
        let mut lines = Vec::new();
        while self.pos < self.text.len() {
            let line = self.rest_of_line();
            if line.split(is_space).find(|w| !w.is_empty()) == Some("endscript") {
                let mut s = lines.join("\n");
                s.push('\n');
                return Some(s);
            }
            lines.push(line);
        }
        None
    }
}
