//! Where a job's placeholders sit in its `run` command, as `sh` reads it.
//!
//! hookctl shell-quotes every value it substitutes (`{files}` becomes `'a b.ts' c.ts`), which is
//! right only where the shell reads words: inside the user's own quotes the quoting is taken
//! literally, and a file named `$(touch x).ts` inside `"..."` runs `touch`; inside `'...'` a
//! name holding `'` ends the quote. A here-document body is expanded like double quotes, and a
//! comment ends at a newline a name may hold. Such a config is refused at load, with the fix.
//!
//! This is a small `sh` lexer, enough to know the quoting context of each position: quotes,
//! backslashes, `$(...)`, `${...}`, backquotes, comments and here-documents.

/// A placeholder found where its quoting is not hookctl's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misquoted {
    /// `{files}`, `{1}`...
    pub placeholder: String,
    /// Byte offset in the command.
    pub offset: usize,
    pub context: Context,
}

/// Where a placeholder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    SingleQuotes,
    DoubleQuotes,
    HereDocument,
    Comment,
}

impl Context {
    pub fn describe(self) -> &'static str {
        match self {
            Context::SingleQuotes => "inside single quotes",
            Context::DoubleQuotes => "inside double quotes",
            Context::HereDocument => "inside a here-document",
            Context::Comment => "inside a comment",
        }
    }
}

/// The placeholder starting at `rest`, if any, with its length.
pub fn placeholder_at(rest: &[u8]) -> Option<usize> {
    for p in [&b"{files}"[..], b"{changed_files}", b"{affected}", b"{packages}"] {
        if rest.starts_with(p) {
            return Some(p.len());
        }
    }
    matches!(rest, [b'{', b'1'..=b'9', b'}', ..]).then_some(3)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Words: the top level, `$(...)` (with its open parentheses) and backquotes.
    Plain {
        parens: usize,
        backquote: bool,
    },
    /// `${...}`.
    Brace,
    Single,
    Double,
}

/// The frame at the bottom of the stack: the command's top level.
const TOP: Frame = Frame::Plain {
    parens: 0,
    backquote: false,
};

/// Every placeholder of `run` that sits inside quotes, a here-document or a comment.
pub fn misquoted(run: &str) -> Vec<Misquoted> {
    let mut lexer = Lexer {
        run,
        b: run.as_bytes(),
        i: 0,
        stack: vec![TOP],
        pending: Vec::new(),
        word_start: true,
        out: Vec::new(),
    };
    while lexer.i < lexer.b.len() {
        lexer.step();
    }
    lexer.out
}

/// The lexer's state: where it is, in which nesting of quotes and substitutions, and what it
/// found.
struct Lexer<'a> {
    run: &'a str,
    b: &'a [u8],
    i: usize,
    stack: Vec<Frame>,
    /// Here-documents whose bodies start at the next newline: (delimiter, strip tabs).
    pending: Vec<(Vec<u8>, bool)>,
    /// At the start of a word, where `#` starts a comment.
    word_start: bool,
    out: Vec<Misquoted>,
}

impl Lexer<'_> {
    /// One placeholder or one byte (with what it opens or closes).
    fn step(&mut self) {
        let top = *self.stack.last().unwrap_or(&TOP);
        if let Some(len) = placeholder_at(&self.b[self.i..]) {
            match top {
                Frame::Single => self.found(self.i, len, Context::SingleQuotes),
                Frame::Double => self.found(self.i, len, Context::DoubleQuotes),
                Frame::Plain { .. } | Frame::Brace => {}
            }
            self.i += len;
            self.word_start = false;
            return;
        }
        let c = self.b[self.i];
        match top {
            Frame::Single => {
                if c == b'\'' {
                    self.stack.pop();
                }
                self.i += 1;
            }
            Frame::Double => self.double_quoted(c),
            Frame::Plain { .. } | Frame::Brace => self.words(top, c),
        }
    }

    fn found(&mut self, offset: usize, len: usize, context: Context) {
        self.out.push(Misquoted {
            placeholder: self.run[offset..offset + len].to_string(),
            offset,
            context,
        });
    }

    /// Every placeholder in `start..end`, a stretch the shell reads as one `context` (a
    /// comment, a here-document's line).
    fn scan(&mut self, start: usize, end: usize, context: Context) {
        let mut j = start;
        while j < end {
            match placeholder_at(&self.b[j..end]) {
                Some(len) => {
                    self.found(j, len, context);
                    j += len;
                }
                None => j += 1,
            }
        }
    }

    /// Inside `"..."`: escapes, the closing quote, and the substitutions that nest in it.
    fn double_quoted(&mut self, c: u8) {
        match c {
            b'\\' => self.i += 1,
            b'"' => {
                self.stack.pop();
            }
            b'`' => self.stack.push(Frame::Plain {
                parens: 0,
                backquote: true,
            }),
            b'$' if self.next_is(b'(') => {
                self.stack.push(TOP);
                self.i += 1;
            }
            _ => {}
        }
        self.i += 1;
    }

    /// Words (the top level, `$(...)`, backquotes, `${...}`): quotes and substitutions open,
    /// parentheses nest, and comments and here-documents start.
    fn words(&mut self, top: Frame, c: u8) {
        let at_word_start = self.word_start;
        self.word_start = matches!(c, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')');
        match c {
            b'\\' => self.i += 1,
            b'\'' => self.stack.push(Frame::Single),
            b'"' => self.stack.push(Frame::Double),
            b'`' => match top {
                Frame::Plain { backquote: true, .. } => {
                    self.stack.pop();
                }
                _ => self.stack.push(Frame::Plain {
                    parens: 0,
                    backquote: true,
                }),
            },
            b'$' if self.next_is(b'\'') => {
                self.stack.push(Frame::Single);
                self.i += 1;
            }
            b'$' if self.next_is(b'(') => {
                self.stack.push(TOP);
                self.i += 1;
            }
            b'$' if self.next_is(b'{') => {
                self.stack.push(Frame::Brace);
                self.i += 1;
            }
            b'}' if top == Frame::Brace => {
                self.stack.pop();
            }
            b'(' => {
                if let Some(Frame::Plain { parens, .. }) = self.stack.last_mut() {
                    *parens += 1;
                }
            }
            b')' => {
                let depth = self.stack.len();
                match self.stack.last_mut() {
                    Some(Frame::Plain { parens, .. }) if *parens > 0 => *parens -= 1,
                    _ if depth > 1 => {
                        self.stack.pop();
                    }
                    _ => {}
                }
            }
            b'#' if at_word_start => return self.comment(),
            b'<' if self.next_is(b'<') && self.b.get(self.i + 2) != Some(&b'<') => {
                return self.here_document();
            }
            b'\n' if !self.pending.is_empty() => return self.here_document_bodies(),
            _ => {}
        }
        self.i += 1;
    }

    fn next_is(&self, c: u8) -> bool {
        self.b.get(self.i + 1) == Some(&c)
    }

    /// `#` at a word's start: the rest of the line is a comment.
    fn comment(&mut self) {
        let end = line_end(self.b, self.i);
        self.scan(self.i, end, Context::Comment);
        self.i = end;
    }

    /// `<<` or `<<-` and its delimiter, quotes removed: the body starts at the next newline.
    fn here_document(&mut self) {
        let b = self.b;
        let mut i = self.i + 2;
        let strip = b.get(i) == Some(&b'-');
        if strip {
            i += 1;
        }
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let mut delim = Vec::new();
        while let Some(&d) = b.get(i) {
            if matches!(
                d,
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
            ) {
                break;
            }
            if !matches!(d, b'\'' | b'"' | b'\\') {
                delim.push(d);
            }
            i += 1;
        }
        self.pending.push((delim, strip));
        self.i = i;
    }

    /// At a newline with here-documents pending: each body in turn.
    fn here_document_bodies(&mut self) {
        self.i += 1;
        for (delim, strip) in std::mem::take(&mut self.pending) {
            self.here_document_body(&delim, strip);
        }
        self.word_start = true;
    }

    /// The lines of one body, up to and past its delimiter line.
    fn here_document_body(&mut self, delim: &[u8], strip: bool) {
        let b = self.b;
        while self.i < b.len() {
            let end = line_end(b, self.i);
            let next = (end + 1).min(b.len());
            let line = &b[self.i..end];
            let bare = if strip {
                let t = line.iter().take_while(|&&x| x == b'\t').count();
                &line[t..]
            } else {
                line
            };
            if bare == delim {
                self.i = next;
                return;
            }
            self.scan(self.i, end, Context::HereDocument);
            self.i = next;
        }
    }
}

/// Where the line holding `i` ends: its newline, or the end.
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..].iter().position(|&x| x == b'\n').map_or(b.len(), |n| i + n)
}

/// The error for a misquoted `run`, with the fix: the command without the quotes when they
/// hold only the placeholder, else how to write it.
pub fn explain(run: &str, m: &Misquoted) -> String {
    let p = &m.placeholder;
    let simple = [("\"", "\""), ("'", "'")].iter().find_map(|(open, close)| {
        let start = m.offset.checked_sub(open.len())?;
        let end = m.offset + p.len();
        (run.get(start..m.offset) == Some(*open) && run.get(end..end + close.len()) == Some(*close))
            .then(|| format!("{}{p}{}", &run[..start], &run[end + close.len()..]))
    });
    let why = match m.context {
        Context::Comment => {
            "a file name holding a newline would end the comment and run as a command".to_string()
        }
        _ => format!(
            "hookctl already quotes each value it puts there, so {} a file name such as `$(touch x).ts` or `it's.ts` would run as shell code",
            m.context.describe()
        ),
    };
    let fix = match (simple, m.context) {
        (Some(fixed), _) => format!("write `run = {}`", toml_string(&fixed)),
        (None, Context::Comment) => format!("take `{p}` out of the comment"),
        (None, Context::HereDocument) => format!("pass `{p}` as arguments, e.g. `printf '%s\\n' {p} | ...`"),
        (None, _) => {
            format!("close your quotes before `{p}` and reopen them after it, e.g. `echo \"files: \"{p}`")
        }
    };
    format!("`{p}` is {} in `run`: {why}\nhint: {fix}", m.context.describe())
}

fn toml_string(s: &str) -> String {
    if !s.contains('\'') && !s.contains('\n') {
        format!("'{s}'")
    } else {
        format!("{s:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts(run: &str) -> Vec<(String, Context)> {
        misquoted(run)
            .into_iter()
            .map(|m| (m.placeholder, m.context))
            .collect()
    }

    #[test]
    fn words_are_fine_and_quotes_are_not() {
        for ok in [
            "eslint {files}",
            "echo \"files:\" {files} {1}",
            "x=$(ls {files}); echo \"$(wc -l {files})\"",
            "echo `cat {files}`",
            "test -n \"$X\" && prettier --write {files} # formats",
            "cat <<'EOF'\nhello\nEOF\nlint {files}",
            "echo '{' {files} '}'",
            "echo \"${X:-a}\" {affected} {packages}",
        ] {
            assert_eq!(contexts(ok), vec![], "{ok}");
        }
        for (text, placeholder, context) in [
            ("echo \"{files}\"", "{files}", Context::DoubleQuotes),
            ("sh -c 'lint {files}'", "{files}", Context::SingleQuotes),
            ("echo \"$(x) {1}\"", "{1}", Context::DoubleQuotes),
            ("lint # {files}", "{files}", Context::Comment),
            (
                "cat <<EOF\n{affected}\nEOF\n",
                "{affected}",
                Context::HereDocument,
            ),
            ("echo $'{packages}'", "{packages}", Context::SingleQuotes),
        ] {
            assert_eq!(contexts(text), vec![(placeholder.into(), context)], "{text}");
        }
    }

    #[test]
    fn the_fix_removes_quotes_that_hold_only_the_placeholder() {
        let m = &misquoted("prettier --write \"{files}\"")[0];
        assert!(
            explain("prettier --write \"{files}\"", m)
                .ends_with("hint: write `run = 'prettier --write {files}'`")
        );
    }
}
