//! Low-level reading of classic config text: C's character classes as logrotate 3.21 uses
//! them and word splitting with quotes.

/// C's `isspace()` in the "C" locale, which is what logrotate 3.21 splits words on: space,
/// `\t`, `\n`, `\v`, `\f` and `\r`. Every other character, a no-break space (U+00A0)
/// included, is part of a word.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// A character as logrotate prints it with `%#x` of a (signed) C `char`: its first UTF-8 byte,
/// sign-extended.
pub(super) fn c_char_hex(c: char) -> String {
    let mut buf = [0; 4];
    match c.encode_utf8(&mut buf).as_bytes()[0] {
        0 => "0".to_string(),
        byte => format!("{:#x}", i32::from(byte.cast_signed()).cast_unsigned()),
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

/// A position in text being split into words.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips what separates words ([`is_space`]), newlines included.
    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.bump();
        }
    }

    /// Reads one word, removing quotes; stops at [`is_space`] or `{`/`}` outside quotes.
    /// Always consumes at least one character unless it is at one of those or at the end, so
    /// a caller that skipped [`is_space`] first always makes progress.
    fn read_word(&mut self) -> String {
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
}
