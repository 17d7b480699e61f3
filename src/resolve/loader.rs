//! The loader form of an import: whether its specifier asks the bundler for the file's code or
//! for its bytes (`!raw-loader!./x.js`, `./x.js?raw`, `./x.js?url`), and which file it names.
//! A file that every importer loads as bytes is data for the build: its own imports never
//! reach the bundle (`data/text-loaders.txt` lists the forms; the checks ask the import graph
//! who imports a file, and how).

/// How an import loads its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// As a module: its imports are bundled with it.
    Code,
    /// As bytes (its text or its URL): what it imports is never bundled from it.
    Text,
}

/// An import's loader form and the specifier of the file it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded<'a> {
    pub form: Form,
    /// The file's specifier without the loaders (`./x.js` of `!raw-loader!./x.js`; a query is
    /// kept, resolution drops it).
    pub resource: &'a str,
    /// What asks for the bytes, as written (`raw-loader`, `raw`), for messages.
    pub via: Option<&'a str>,
}

/// The form of the import written `spec`. A webpack/Rspack inline loader chain (`!a!b!./x`,
/// `-!a!./x`, `!!a!./x`) loads as bytes when its loader nearest the file is a text loader; a
/// Parcel named pipeline (`bundle-text:./x`) loads code (Parcel bundles the file first); a
/// resource query names a text form (`?raw`, `?url`) unless it asks for a worker.
pub fn of(spec: &str) -> Loaded<'_> {
    let spec = spec.trim();
    if spec.contains('!') {
        let chain = spec
            .strip_prefix("-!")
            .or_else(|| spec.strip_prefix("!!"))
            .or_else(|| spec.strip_prefix('!'))
            .unwrap_or(spec);
        let (loaders, resource) = chain.rsplit_once('!').unwrap_or(("", chain));
        let nearest = loaders.rsplit('!').next().unwrap_or("");
        let name = nearest.split('?').next().unwrap_or(nearest);
        if text_loaders().any(|l| name == l || name.strip_prefix(l).is_some_and(|r| r.starts_with('/'))) {
            return Loaded {
                form: Form::Text,
                resource,
                via: Some(name),
            };
        }
        return by_query(resource);
    }
    if let Some((scheme, rest)) = spec.split_once(':')
        && is_pipeline(scheme)
        && (rest.starts_with("./") || rest.starts_with("../"))
    {
        return Loaded {
            form: Form::Code,
            resource: rest,
            via: None,
        };
    }
    by_query(spec)
}

/// `bundle-text`, `data-url`, `url`: a Parcel named pipeline (any scheme but `node`).
fn is_pipeline(scheme: &str) -> bool {
    scheme != "node"
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A plain specifier, its query read: `?raw`, `?url` load bytes (not `?worker&url`, nor `?url`
/// of a stylesheet, which Vite processes).
fn by_query(spec: &str) -> Loaded<'_> {
    let code = Loaded {
        form: Form::Code,
        resource: spec,
        via: None,
    };
    let Some((path, query)) = spec.split_once('?') else {
        return code;
    };
    let params: Vec<&str> = query
        .split('&')
        .map(|p| p.split('=').next().unwrap_or(p))
        .collect();
    if params.iter().any(|p| *p == "worker" || *p == "sharedworker") {
        return code;
    }
    let stylesheet = crate::scan::CssDialect::for_path(path.split('#').next().unwrap_or(path)).is_some();
    match params
        .iter()
        .find(|p| text_queries().any(|q| q == **p) && !(stylesheet && **p == "url"))
    {
        Some(p) => Loaded {
            form: Form::Text,
            resource: spec,
            via: Some(p),
        },
        None => code,
    }
}

fn table() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::data::lines(include_str!("../../data/text-loaders.txt")).filter_map(|l| l.split_once(' '))
}

fn text_loaders() -> impl Iterator<Item = &'static str> {
    table().filter(|(k, _)| *k == "loader").map(|(_, n)| n.trim())
}

fn text_queries() -> impl Iterator<Item = &'static str> {
    table().filter(|(k, _)| *k == "query").map(|(_, n)| n.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `data/text-loaders.txt` is a form this module reads, and it loads bytes;
    /// beside it, the same file through a code loader or no loader loads code.
    #[test]
    fn every_table_line_is_a_text_form() {
        let mut lines = 0;
        for line in crate::data::lines(include_str!("../../data/text-loaders.txt")) {
            lines += 1;
            let (kind, name) = line.split_once(' ').expect(line);
            let spec = match kind {
                "loader" => format!("!{name}?esModule=false!./src/x.js"),
                "query" => format!("./src/x.js?{name}"),
                other => panic!("unknown form `{other}` in `{line}`"),
            };
            let got = of(&spec);
            assert_eq!(got.form, Form::Text, "{line}");
            assert_eq!(got.via, Some(name), "{line}");
            let resource = if kind == "loader" {
                "./src/x.js"
            } else {
                spec.as_str()
            };
            assert_eq!(got.resource, resource, "{line}");
        }
        assert!(lines >= 6);
    }

    #[test]
    fn code_forms_and_their_resources() {
        let code = |spec: &str, resource: &str| {
            let got = of(spec);
            assert_eq!((got.form, got.resource), (Form::Code, resource), "{spec}");
        };
        code("./x.js", "./x.js");
        code("react", "react");
        code("node:fs", "node:fs");
        // A chain whose loader nearest the file is a code loader; raw-loader further out
        // receives the code loader's output, not the file.
        code("!babel-loader!./x.js", "./x.js");
        code("!raw-loader!babel-loader!./x.js", "./x.js");
        code("!worker-loader!./w.js", "./w.js");
        // Parcel bundles what a named pipeline names.
        code("bundle-text:./x.js", "./x.js");
        code("data-url:../x.js", "../x.js");
        // Vite: a worker, `?inline` of a script, a stylesheet's URL.
        code("./w.js?worker&url", "./w.js?worker&url");
        code("./x.js?inline", "./x.js?inline");
        code("./x.css?url", "./x.css?url");
        code("./x.js?rawish", "./x.js?rawish");
        let text = |spec: &str, resource: &str| {
            let got = of(spec);
            assert_eq!((got.form, got.resource), (Form::Text, resource), "{spec}");
        };
        text("-!raw-loader!./x.js", "./x.js");
        text("!!raw-loader!./x.js", "./x.js");
        text("raw-loader!./x.js", "./x.js");
        text("!babel-loader!raw-loader!./x.js", "./x.js");
        text("!raw-loader/dist/cjs.js!./x.js", "./x.js");
        text(
            "!raw-loader?esModule=false!./sandpack-rsc/sandbox-code/src/rsc-client.js",
            "./sandpack-rsc/sandbox-code/src/rsc-client.js",
        );
        text("./x.css?raw", "./x.css?raw");
        text("./x.js?import&raw", "./x.js?import&raw");
        text("@/snippets/a.ts?raw", "@/snippets/a.ts?raw");
    }
}
