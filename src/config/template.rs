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

/// Every placeholder of `run` that sits inside quotes, a here-document or a comment.
pub fn misquoted(run: &str) -> Vec<Misquoted> {
    let b = run.as_bytes();
    let mut out = Vec::new();
    let mut stack = vec![Frame::Plain {
        parens: 0,
        backquote: false,
    }];
    // Here-documents whose bodies start at the next newline: (delimiter, strip tabs).
    let mut pending: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut i = 0;
    let mut word_start = true;
    while i < b.len() {
        let top = *stack.last().unwrap_or(&Frame::Plain {
            parens: 0,
            backquote: false,
        });
        let context = match top {
            Frame::Single => Some(Context::SingleQuotes),
            Frame::Double => Some(Context::DoubleQuotes),
            _ => None,
        };
        if let Some(len) = placeholder_at(&b[i..]) {
            if let Some(context) = context {
                out.push(Misquoted {
                    placeholder: run[i..i + len].to_string(),
                    offset: i,
                    context,
                });
            }
            i += len;
            word_start = false;
            continue;
        }
        let c = b[i];
        match top {
            Frame::Single => {
                if c == b'\'' {
                    stack.pop();
                }
                i += 1;
            }
            Frame::Double => {
                match c {
                    b'\\' => i += 1,
                    b'"' => {
                        stack.pop();
                    }
                    b'`' => stack.push(Frame::Plain {
                        parens: 0,
                        backquote: true,
                    }),
                    b'$' if b.get(i + 1) == Some(&b'(') => {
                        stack.push(Frame::Plain {
                            parens: 0,
                            backquote: false,
                        });
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
            }
            Frame::Plain { .. } | Frame::Brace => {
                let at_word_start = word_start;
                word_start = matches!(c, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')');
                match c {
                    b'\\' => i += 1,
                    b'\'' => stack.push(Frame::Single),
                    b'"' => stack.push(Frame::Double),
                    b'`' => match top {
                        Frame::Plain { backquote: true, .. } => {
                            stack.pop();
                        }
                        _ => stack.push(Frame::Plain {
                            parens: 0,
                            backquote: true,
                        }),
                    },
                    b'$' if b.get(i + 1) == Some(&b'\'') => {
                        stack.push(Frame::Single);
                        i += 1;
                    }
                    b'$' if b.get(i + 1) == Some(&b'(') => {
                        stack.push(Frame::Plain {
                            parens: 0,
                            backquote: false,
                        });
                        i += 1;
                    }
                    b'$' if b.get(i + 1) == Some(&b'{') => {
                        stack.push(Frame::Brace);
                        i += 1;
                    }
                    b'}' if top == Frame::Brace => {
                        stack.pop();
                    }
                    b'(' => {
                        if let Some(Frame::Plain { parens, .. }) = stack.last_mut() {
                            *parens += 1;
                        }
                    }
                    b')' => {
                        let depth = stack.len();
                        match stack.last_mut() {
                            Some(Frame::Plain { parens, .. }) if *parens > 0 => *parens -= 1,
                            _ if depth > 1 => {
                                stack.pop();
                            }
                            _ => {}
                        }
                    }
                    b'#' if at_word_start => {
                        let end = b[i..].iter().position(|&x| x == b'\n').map_or(b.len(), |n| i + n);
                        let mut j = i;
                        while j < end {
                            match placeholder_at(&b[j..end]) {
                                Some(len) => {
                                    out.push(Misquoted {
                                        placeholder: run[j..j + len].to_string(),
                                        offset: j,
                                        context: Context::Comment,
                                    });
                                    j += len;
                                }
                                None => j += 1,
                            }
                        }
                        i = end;
                        continue;
                    }
                    b'<' if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') => {
                        i += 2;
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
                        pending.push((delim, strip));
                        continue;
                    }
                    b'\n' if !pending.is_empty() => {
                        i += 1;
                        for (delim, strip) in std::mem::take(&mut pending) {
                            // The body: lines up to the delimiter line.
                            loop {
                                if i >= b.len() {
                                    break;
                                }
                                let end = b[i..].iter().position(|&x| x == b'\n').map_or(b.len(), |n| i + n);
                                let line = &b[i..end];
                                let bare = if strip {
                                    let t = line.iter().take_while(|&&x| x == b'\t').count();
                                    &line[t..]
                                } else {
                                    line
                                };
                                if bare == delim.as_slice() {
                                    i = (end + 1).min(b.len());
                                    break;
                                }
                                let mut j = i;
                                while j < end {
                                    match placeholder_at(&b[j..end]) {
                                        Some(len) => {
                                            out.push(Misquoted {
                                                placeholder: run[j..j + len].to_string(),
                                                offset: j,
                                                context: Context::HereDocument,
                                            });
                                            j += len;
                                        }
                                        None => j += 1,
                                    }
                                }
                                i = (end + 1).min(b.len());
                            }
                        }
                        word_start = true;
                        continue;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }
    out
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
