//! A static evaluator of bundler and framework config files: the tree-sitter TypeScript grammar
//! (the one `scan` parses code with) and a walk over the expression that the file exports.
//! Nothing runs. What it knows: object literals and arrays (with spreads of what it knows),
//! strings and template literals, string constants and small arrow functions declared in the
//! same file, `defineConfig(...)`-like wrappers, config functions (`({ mode }) => ({...})`),
//! `path.resolve`/`path.join`/`path.dirname` over `__dirname`, `import.meta.dirname`,
//! `process.cwd()` and `fileURLToPath(new URL("…", import.meta.url))`, and regex literals.
//! Everything else is [`Val::Unknown`] with a short reason, so callers can tell "the config says
//! nothing about X" from "the config may say something about X that hookctl cannot see".

use tree_sitter::{Node, Parser};

/// Longest chain of bindings followed (constants naming constants, helper calls).
const MAX_DEPTH: usize = 24;
/// Most expressions evaluated for one file (constants used many times each cannot blow up).
const MAX_STEPS: usize = 5_000;

/// A statically known value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    /// An absolute file-system path, written relative to the config's folder (`""` is the
    /// folder itself, `../x` its sibling): `path.resolve(__dirname, "x")`.
    Path(String),
    /// A `file:` URL of a path relative to the config's folder (`import.meta.url`, `new URL`).
    Url(String),
    /// A regex literal: its pattern (between the slashes).
    Regex(String),
    Bool(bool),
    Num(f64),
    Null,
    Obj(Obj),
    Arr(Vec<Val>, Option<String>),
    /// The value of another config file of the same folder (`import viteConfig from
    /// "./vite.config"`): read on its own, so merging it adds nothing unknown.
    OtherConfig,
    /// `new Name(args)` of a constructor other than `URL`: its last name (`ModuleFederationPlugin`
    /// of `new rspack.container.ModuleFederationPlugin(…)`) and its evaluated arguments. A
    /// bundler's plugin instance: what a config reader knows of it is its options.
    New(String, Vec<Val>),
    /// Not known statically; why.
    Unknown(String),
}

/// An object literal: its entries in order (a later key overrides an earlier one) and, when
/// some entries could not be known (a spread of a call, a computed key), why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Obj {
    pub entries: Vec<(String, Val)>,
    pub unknown: Option<String>,
}

impl Obj {
    /// The value of `key` (the last entry wins, as in JS).
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl Val {
    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Val::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// `a.b.c` through nested objects. `Err(reason)` when a step is not known (an unknown
    /// value, or an object with unknown entries that lacks the key); `Ok(None)` when the
    /// config certainly does not set it.
    pub fn at(&self, path: &[&str]) -> Result<Option<&Val>, String> {
        let mut cur = self;
        for key in path {
            match cur {
                Val::Obj(o) => match o.get(key) {
                    Some(v) => cur = v,
                    None => return o.unknown.clone().map_or(Ok(None), Err),
                },
                Val::Unknown(why) => return Err(why.clone()),
                Val::OtherConfig => return Ok(None),
                _ => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Parse a config file's text and evaluate what it exports (`export default …`,
/// `module.exports = …`), unwrapping `defineConfig(…)`-like calls and config functions.
/// `file` is the config's file name (for `import.meta.url`); `is_sibling_config` tells which
/// relative import specifiers name another config file of the same folder.
pub fn exported_config(src: &[u8], file: &str, is_sibling_config: &dyn Fn(&str) -> bool) -> Val {
    if src.len() >= u32::MAX as usize {
        return Val::Unknown("the file is too large".into());
    }
    let lang: tree_sitter::Language =
        if file.ends_with(".ts") || file.ends_with(".mts") || file.ends_with(".cts") {
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
        } else {
            tree_sitter_typescript::LANGUAGE_TSX.into()
        };
    let mut parser = Parser::new();
    if parser.set_language(&lang).is_err() {
        return Val::Unknown("no parser".into());
    }
    let Some(tree) = parser.parse(src, None) else {
        return Val::Unknown("the file does not parse".into());
    };
    let ev = Eval {
        src,
        root: tree.root_node(),
        file,
        is_sibling_config,
        steps: std::cell::Cell::new(0),
    };
    ev.exported()
}

struct Eval<'a> {
    src: &'a [u8],
    root: Node<'a>,
    file: &'a str,
    is_sibling_config: &'a dyn Fn(&str) -> bool,
    steps: std::cell::Cell<usize>,
}

/// Names bound while evaluating a helper's body (its parameters).
type Scope<'s> = &'s [(String, Val)];

impl<'a> Eval<'a> {
    fn text(&self, n: Node) -> &'a str {
        std::str::from_utf8(&self.src[n.start_byte()..n.end_byte()]).unwrap_or("")
    }

    fn exported(&self) -> Val {
        let mut cursor = self.root.walk();
        let mut found = None;
        for stmt in self.root.named_children(&mut cursor) {
            match stmt.kind() {
                "export_statement" if self.text(stmt).trim_start().starts_with("export default") => {
                    if let Some(v) = stmt.child_by_field_name("value") {
                        found = Some(self.config_value(v, &[], 0));
                    } else if let Some(d) = stmt.child_by_field_name("declaration") {
                        // `export default function () { return {...} }`
                        found = Some(self.call_result(d, &[], &[], 0));
                    }
                }
                "expression_statement" => {
                    let Some(e) = stmt.named_child(0) else { continue };
                    if e.kind() == "assignment_expression"
                        && let (Some(l), Some(r)) =
                            (e.child_by_field_name("left"), e.child_by_field_name("right"))
                        && self.text(l).replace(char::is_whitespace, "") == "module.exports"
                    {
                        found = Some(self.config_value(r, &[], 0));
                    }
                }
                _ => {}
            }
        }
        found.unwrap_or_else(|| Val::Unknown("it has no `export default` or `module.exports`".into()))
    }

    /// An exported value: a config function is called, a wrapper call (`defineConfig(x)`,
    /// `withPlugin(x)`) is its first argument.
    fn config_value(&self, n: Node, scope: Scope, depth: usize) -> Val {
        if depth > MAX_DEPTH || self.spent() {
            return Val::Unknown("too deep".into());
        }
        let n = self.unwrap(n);
        match n.kind() {
            "arrow_function" | "function_expression" | "function" => {
                self.call_result(n, &[], scope, depth + 1)
            }
            "call_expression" => {
                let callee = n.child_by_field_name("function");
                let args = self.args(n);
                // `withA(withB(config))`, `defineConfig(() => ({...}))`, `merge(a, b)`.
                let name = callee.map_or("", |c| self.text(c));
                if name == "mergeConfig" || name.ends_with(".mergeConfig") || name == "defu" {
                    return self.merge_all(&args, scope, depth);
                }
                if let Some(callee) = callee
                    && callee.kind() == "call_expression"
                {
                    // `withBundleAnalyzer({...})(config)`: the inner call configures the wrapper.
                    return match args.first() {
                        Some(a) => self.config_value(*a, scope, depth + 1),
                        None => Val::Unknown(format!("`{}`", self.text(n))),
                    };
                }
                if let Some(v) = self.known_call(n, scope, depth) {
                    return v;
                }
                match args.first() {
                    Some(a) => self.config_value(*a, scope, depth + 1),
                    None => Val::Unknown(format!("the result of `{name}()`")),
                }
            }
            "identifier" => {
                let name = self.text(n);
                match self.binding(name, n, scope) {
                    Some(Binding::Expr(e)) => self.config_value(e, scope, depth + 1),
                    Some(Binding::Function(f)) => self.call_result(f, &[], scope, depth + 1),
                    Some(Binding::Val(v)) => v,
                    None => self.expr(n, scope, depth + 1),
                }
            }
            _ => self.expr(n, scope, depth + 1),
        }
    }

    fn merge_all(&self, args: &[Node], scope: Scope, depth: usize) -> Val {
        let mut out = Obj::default();
        for a in args {
            match self.config_value(*a, scope, depth + 1) {
                Val::Obj(o) => {
                    out.entries.extend(o.entries);
                    if out.unknown.is_none() {
                        out.unknown = o.unknown;
                    }
                }
                Val::OtherConfig => {}
                Val::Unknown(why) => {
                    out.unknown.get_or_insert(why);
                }
                _ => {}
            }
        }
        Val::Obj(out)
    }

    /// What a function returns: an expression body, or the last `return` of its block.
    fn call_result(&self, f: Node, args: &[Val], scope: Scope, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown("too deep".into());
        }
        let mut bound: Vec<(String, Val)> = scope.to_vec();
        if let Some(params) = f
            .child_by_field_name("parameters")
            .or_else(|| f.child_by_field_name("parameter"))
        {
            let list: Vec<Node> = if params.kind() == "identifier" {
                vec![params]
            } else {
                let mut c = params.walk();
                params.named_children(&mut c).collect()
            };
            for (i, p) in list.iter().enumerate() {
                let name_node = p.child_by_field_name("pattern").unwrap_or(*p);
                if name_node.kind() == "identifier" {
                    let v = args
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| Val::Unknown(format!("the parameter `{}`", self.text(name_node))));
                    bound.push((self.text(name_node).to_string(), v));
                } else {
                    // A destructured parameter (`({ mode })`): each name is unknown.
                    for id in descendants(name_node, "shorthand_property_identifier_pattern")
                        .into_iter()
                        .chain(descendants(name_node, "identifier"))
                    {
                        let n = self.text(id).to_string();
                        bound.push((n.clone(), Val::Unknown(format!("the parameter `{n}`"))));
                    }
                }
            }
        }
        let Some(body) = f.child_by_field_name("body") else {
            return Val::Unknown("a function without a body".into());
        };
        if body.kind() != "statement_block" {
            return self.config_value(body, &bound, depth + 1);
        }
        let mut cursor = body.walk();
        let last_return = body
            .named_children(&mut cursor)
            .filter(|s| s.kind() == "return_statement")
            .last();
        match last_return.and_then(|r| r.named_child(0)) {
            Some(e) => self.config_value(e, &bound, depth + 1),
            None => Val::Unknown("a function whose result is not a literal".into()),
        }
    }

    /// Parentheses, `as`, `satisfies`, `!`, `await` and type assertions removed.
    fn unwrap(&self, mut n: Node<'a>) -> Node<'a> {
        loop {
            match n.kind() {
                "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "await_expression"
                | "type_assertion" => match n.named_child(0) {
                    Some(c) if c.kind() != "type_arguments" => n = c,
                    _ => return n,
                },
                _ => return n,
            }
        }
    }

    fn args(&self, call: Node<'a>) -> Vec<Node<'a>> {
        let Some(args) = call.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut c = args.walk();
        args.named_children(&mut c)
            .filter(|a| a.kind() != "comment")
            .collect()
    }

    /// Count one step; true once the file's budget is spent.
    fn spent(&self) -> bool {
        self.steps.set(self.steps.get() + 1);
        self.steps.get() > MAX_STEPS
    }

    fn expr(&self, n: Node, scope: Scope, depth: usize) -> Val {
        if depth > MAX_DEPTH || self.spent() {
            return Val::Unknown("too deep".into());
        }
        let n = self.unwrap(n);
        match n.kind() {
            "string" => Val::Str(self.string(n)),
            "template_string" => self.template(n, scope, depth),
            "number" => self
                .text(n)
                .parse()
                .map_or(Val::Unknown("a number".into()), Val::Num),
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            "null" | "undefined" => Val::Null,
            "regex" => Val::Regex(
                n.child_by_field_name("pattern")
                    .map(|p| self.text(p).to_string())
                    .unwrap_or_default(),
            ),
            "object" => Val::Obj(self.object(n, scope, depth)),
            "array" => self.array(n, scope, depth),
            "identifier" => self.identifier(n, scope, depth),
            "member_expression" => self.member(n, scope, depth),
            "call_expression" => self
                .filter_boolean(n, scope, depth)
                .or_else(|| self.known_call(n, scope, depth))
                .unwrap_or_else(|| Val::Unknown(format!("the result of `{}`", short(self.text(n))))),
            "new_expression" => self.new_url(n, scope, depth),
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map_or("", |o| self.text(o));
                let l = n
                    .child_by_field_name("left")
                    .map(|x| self.expr(x, scope, depth + 1));
                let r = n
                    .child_by_field_name("right")
                    .map(|x| self.expr(x, scope, depth + 1));
                match (op, l, r) {
                    ("+", Some(Val::Str(a)), Some(Val::Str(b))) => Val::Str(a + &b),
                    ("+", Some(Val::Path(a)), Some(Val::Str(b))) => Val::Path(a + &b),
                    _ => Val::Unknown(format!("`{}`", short(self.text(n)))),
                }
            }
            "ternary_expression" => {
                let a = n
                    .child_by_field_name("consequence")
                    .map(|x| self.expr(x, scope, depth + 1));
                let b = n
                    .child_by_field_name("alternative")
                    .map(|x| self.expr(x, scope, depth + 1));
                match (a, b) {
                    (Some(a), Some(b)) if a == b => a,
                    _ => Val::Unknown(format!("a condition (`{}`)", short(self.text(n)))),
                }
            }
            "arrow_function" | "function_expression" | "function" => Val::Unknown("a function".into()),
            _ => Val::Unknown(format!("`{}`", short(self.text(n)))),
        }
    }

    fn string(&self, n: Node) -> String {
        let raw = self.text(n);
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        crate::scan::decode_js_string(inner.as_bytes())
    }

    fn template(&self, n: Node, scope: Scope, depth: usize) -> Val {
        let raw = self.text(n);
        let mut out = String::new();
        let mut path = false;
        let mut at = n.start_byte() + 1;
        let mut c = n.walk();
        for part in n.named_children(&mut c) {
            if part.kind() != "template_substitution" {
                continue;
            }
            let lit = std::str::from_utf8(&self.src[at..part.start_byte()]).unwrap_or("");
            out.push_str(&crate::scan::decode_js_string(lit.as_bytes()));
            at = part.end_byte();
            let Some(e) = part.named_child(0) else {
                return Val::Unknown("a template".into());
            };
            match self.expr(e, scope, depth + 1) {
                Val::Str(s) => out.push_str(&s),
                Val::Path(p) if out.is_empty() && !path => {
                    path = true;
                    out.push_str(&p);
                }
                Val::Num(x) => out.push_str(&x.to_string()),
                Val::Unknown(why) => return Val::Unknown(why),
                _ => return Val::Unknown(format!("`{}`", short(raw))),
            }
        }
        let end = n.end_byte().saturating_sub(1).max(at);
        let lit = std::str::from_utf8(&self.src[at..end]).unwrap_or("");
        out.push_str(&crate::scan::decode_js_string(lit.as_bytes()));
        if path { Val::Path(out) } else { Val::Str(out) }
    }

    fn object(&self, n: Node, scope: Scope, depth: usize) -> Obj {
        let mut out = Obj::default();
        let mut c = n.walk();
        for child in n.named_children(&mut c) {
            match child.kind() {
                "pair" => {
                    let (Some(k), Some(v)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let key = match k.kind() {
                        "property_identifier" | "number" => Some(self.text(k).to_string()),
                        "string" => Some(self.string(k)),
                        "computed_property_name" => {
                            match k.named_child(0).map(|e| self.expr(e, scope, depth + 1)) {
                                Some(Val::Str(s)) => Some(s),
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    match key {
                        Some(key) => out.entries.push((key, self.expr(v, scope, depth + 1))),
                        None => {
                            out.unknown
                                .get_or_insert(format!("a computed key (`{}`)", short(self.text(k))));
                        }
                    }
                }
                "shorthand_property_identifier" => {
                    let name = self.text(child).to_string();
                    let v = self.identifier(child, scope, depth + 1);
                    out.entries.push((name, v));
                }
                "method_definition" => {
                    if let Some(k) = child.child_by_field_name("name") {
                        out.entries
                            .push((self.text(k).to_string(), Val::Unknown("a method".into())));
                    }
                }
                "spread_element" => match child.named_child(0).map(|e| self.expr(e, scope, depth + 1)) {
                    Some(Val::Obj(o)) => {
                        out.entries.extend(o.entries);
                        if let Some(why) = o.unknown {
                            out.unknown.get_or_insert(why);
                        }
                    }
                    Some(Val::OtherConfig | Val::Null) => {}
                    Some(Val::Unknown(why)) => {
                        out.unknown.get_or_insert(format!("a spread of {why}"));
                    }
                    _ => {
                        out.unknown
                            .get_or_insert(format!("a spread of `{}`", short(self.text(child))));
                    }
                },
                _ => {}
            }
        }
        out
    }

    fn array(&self, n: Node, scope: Scope, depth: usize) -> Val {
        let mut items = Vec::new();
        let mut unknown = None;
        let mut c = n.walk();
        for child in n.named_children(&mut c) {
            if child.kind() == "comment" {
                continue;
            }
            if child.kind() == "spread_element" {
                match child.named_child(0).map(|e| self.expr(e, scope, depth + 1)) {
                    Some(Val::Arr(a, why)) => {
                        items.extend(a);
                        if let Some(w) = why {
                            unknown.get_or_insert(w);
                        }
                    }
                    Some(Val::Unknown(why)) => {
                        unknown.get_or_insert(format!("a spread of {why}"));
                    }
                    _ => {
                        unknown.get_or_insert(format!("a spread of `{}`", short(self.text(child))));
                    }
                }
            } else {
                items.push(self.expr(child, scope, depth + 1));
            }
        }
        Val::Arr(items, unknown)
    }

    fn identifier(&self, n: Node, scope: Scope, depth: usize) -> Val {
        let name = self.text(n);
        match name {
            "__dirname" => return Val::Path(String::new()),
            "__filename" => return Val::Path(self.file.to_string()),
            "undefined" => return Val::Null,
            _ => {}
        }
        match self.binding(name, n, scope) {
            Some(Binding::Val(v)) => v,
            Some(Binding::Expr(e)) => self.expr(e, scope, depth + 1),
            Some(Binding::Function(_)) => Val::Unknown(format!("the function `{name}`")),
            None => Val::Unknown(format!("`{name}`")),
        }
    }

    /// What `name` is bound to where `at` uses it: a bound parameter, then a `const`/`let`/
    /// `var` of an enclosing block (the nearest first), an import (unknown, or another config
    /// of the folder), a function declaration.
    fn binding(&self, name: &str, at: Node<'a>, scope: Scope) -> Option<Binding<'a>> {
        if let Some((_, v)) = scope.iter().rev().find(|(n, _)| n == name) {
            return Some(Binding::Val(v.clone()));
        }
        let mut block = at.parent();
        while let Some(b) = block {
            if matches!(b.kind(), "statement_block" | "program")
                && let Some(found) = self.declared_in(b, name)
            {
                return Some(found);
            }
            block = b.parent();
        }
        None
    }

    fn declared_in(&self, block: Node<'a>, name: &str) -> Option<Binding<'a>> {
        let mut c = block.walk();
        for stmt in block.named_children(&mut c) {
            let stmt = if stmt.kind() == "export_statement" {
                match stmt.child_by_field_name("declaration") {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                stmt
            };
            match stmt.kind() {
                "lexical_declaration" | "variable_declaration" => {
                    let mut c2 = stmt.walk();
                    for d in stmt.named_children(&mut c2) {
                        if d.kind() != "variable_declarator" {
                            continue;
                        }
                        let Some(id) = d.child_by_field_name("name") else {
                            continue;
                        };
                        if id.kind() == "identifier" && self.text(id) == name {
                            let value = d.child_by_field_name("value")?;
                            let value = self.unwrap(value);
                            return Some(match value.kind() {
                                "arrow_function" | "function_expression" | "function" => {
                                    Binding::Function(value)
                                }
                                _ => Binding::Expr(value),
                            });
                        }
                        if id.kind() != "identifier" && self.text(id).contains(name) {
                            return Some(Binding::Val(Val::Unknown(format!("`{name}` (destructured)"))));
                        }
                    }
                }
                "function_declaration"
                    if stmt
                        .child_by_field_name("name")
                        .is_some_and(|n| self.text(n) == name) =>
                {
                    return Some(Binding::Function(stmt));
                }
                "import_statement" => {
                    let source = stmt
                        .child_by_field_name("source")
                        .map(|s| self.string(s))
                        .unwrap_or_default();
                    let imports_name = descendants(stmt, "identifier")
                        .iter()
                        .any(|i| self.text(*i) == name);
                    if imports_name {
                        if source.starts_with('.') && (self.is_sibling_config)(&source) {
                            return Some(Binding::Val(Val::OtherConfig));
                        }
                        return Some(Binding::Val(Val::Unknown(format!(
                            "`{name}` imported from `{source}`"
                        ))));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn member(&self, n: Node, scope: Scope, depth: usize) -> Val {
        let text: String = self.text(n).split_whitespace().collect();
        match text.as_str() {
            "import.meta.url" => return Val::Url(self.file.to_string()),
            "import.meta.dirname" => return Val::Path(String::new()),
            "import.meta.filename" => return Val::Path(self.file.to_string()),
            _ => {}
        }
        let (Some(obj), Some(prop)) = (n.child_by_field_name("object"), n.child_by_field_name("property"))
        else {
            return Val::Unknown(format!("`{}`", short(&text)));
        };
        let prop = self.text(prop);
        match self.expr(obj, scope, depth + 1) {
            Val::Obj(o) => match o.get(prop) {
                Some(v) => v.clone(),
                None => Val::Unknown(o.unknown.unwrap_or_else(|| format!("`{}`", short(&text)))),
            },
            Val::Url(p) if prop == "pathname" => Val::Path(p),
            _ => Val::Unknown(format!("`{}`", short(&text))),
        }
    }

    /// `new URL("…", import.meta.url)`.
    fn new_url(&self, n: Node, scope: Scope, depth: usize) -> Val {
        let ctor = n.child_by_field_name("constructor").map_or("", |c| self.text(c));
        if ctor == "URL" {
            let args = self.args(n);
            if let (Some(a), Some(b)) = (args.first(), args.get(1))
                && let (Val::Str(rel), Val::Url(base)) =
                    (self.expr(*a, scope, depth + 1), self.expr(*b, scope, depth + 1))
            {
                let dir = parent_of(&base);
                return Val::Url(join(&dir, &rel));
            }
        }
        if !ctor.is_empty() && ctor != "URL" && !ctor.contains('(') {
            let name = ctor.rsplit('.').next().unwrap_or(ctor).trim();
            let args = self
                .args(n)
                .iter()
                .map(|a| self.expr(*a, scope, depth + 1))
                .collect();
            return Val::New(name.to_string(), args);
        }
        Val::Unknown(format!("`{}`", short(self.text(n))))
    }

    /// `[…].filter(Boolean)` (a webpack `plugins` list with `dev && new Plugin()` items): the
    /// array without the items known to be falsy.
    fn filter_boolean(&self, n: Node, scope: Scope, depth: usize) -> Option<Val> {
        let callee = n.child_by_field_name("function")?;
        if callee.kind() != "member_expression"
            || callee.child_by_field_name("property").map(|p| self.text(p)) != Some("filter")
        {
            return None;
        }
        let args = self.args(n);
        if args.len() != 1 || self.text(args[0]) != "Boolean" {
            return None;
        }
        match self.expr(callee.child_by_field_name("object")?, scope, depth + 1) {
            Val::Arr(items, why) => Some(Val::Arr(
                items
                    .into_iter()
                    .filter(|v| !matches!(v, Val::Bool(false) | Val::Null))
                    .collect(),
                why,
            )),
            _ => None,
        }
    }

    /// Path helpers and same-file functions; `None` for any other call.
    fn known_call(&self, n: Node, scope: Scope, depth: usize) -> Option<Val> {
        let callee = n.child_by_field_name("function")?;
        let (object, name) = match callee.kind() {
            "identifier" => (None, self.text(callee)),
            "member_expression" => (
                callee.child_by_field_name("object").map(|o| self.text(o)),
                self.text(callee.child_by_field_name("property")?),
            ),
            _ => return None,
        };
        if object.is_some_and(|o| o == "require" || o.contains('(')) {
            return None;
        }
        let args: Vec<Val> = self
            .args(n)
            .iter()
            .map(|a| self.expr(*a, scope, depth + 1))
            .collect();
        match (object, name) {
            (None | Some("process"), "cwd") => Some(Val::Path(String::new())),
            (_, "fileURLToPath") => match args.first() {
                Some(Val::Url(p)) => Some(Val::Path(p.clone())),
                Some(Val::Str(s)) if !s.starts_with("file:") => None,
                _ => Some(Val::Unknown("a URL".into())),
            },
            (_, "dirname") if object.is_none_or(is_path_module) => match args.first() {
                Some(Val::Path(p)) => Some(Val::Path(parent_of(p))),
                _ => Some(Val::Unknown("a folder name".into())),
            },
            (_, "resolve") if object.is_none_or(is_path_module) => Some(resolve_paths(&args)),
            (_, "join") if object.is_none_or(is_path_module) => Some(join_paths(&args)),
            (None, _) => match self.binding(name, callee, scope) {
                Some(Binding::Function(f)) => Some(self.call_result(f, &args, &[], depth + 1)),
                _ => None,
            },
            _ => None,
        }
    }
}

enum Binding<'a> {
    Expr(Node<'a>),
    Function(Node<'a>),
    Val(Val),
}

fn is_path_module(o: &str) -> bool {
    matches!(
        o,
        "path" | "pathe" | "nodePath" | "upath" | "posix" | "path.posix" | "p"
    )
}

/// `path.resolve(...)`: right to left until an absolute path; relative to the working
/// directory (the config's folder when the tool runs there) otherwise.
fn resolve_paths(args: &[Val]) -> Val {
    let mut parts: Vec<&str> = Vec::new();
    let mut base: Option<&str> = None;
    for a in args.iter().rev() {
        match a {
            Val::Str(s) if s.starts_with('/') => return Val::Unknown(format!("the absolute path `{s}`")),
            Val::Str(s) => parts.push(s),
            Val::Path(p) => {
                base = Some(p);
                break;
            }
            Val::Unknown(why) => return Val::Unknown(why.clone()),
            _ => return Val::Unknown("a path".into()),
        }
    }
    let mut out = base.unwrap_or("").to_string();
    for p in parts.iter().rev() {
        out = join(&out, p);
    }
    Val::Path(out)
}

fn join_paths(args: &[Val]) -> Val {
    let mut it = args.iter();
    let (mut out, is_path) = match it.next() {
        Some(Val::Path(p)) => (p.clone(), true),
        Some(Val::Str(s)) => (s.clone(), false),
        Some(Val::Unknown(why)) => return Val::Unknown(why.clone()),
        _ => return Val::Unknown("a path".into()),
    };
    for a in it {
        match a {
            Val::Str(s) => out = join(&out, s),
            Val::Unknown(why) => return Val::Unknown(why.clone()),
            _ => return Val::Unknown("a path".into()),
        }
    }
    if is_path { Val::Path(out) } else { Val::Str(out) }
}

/// `dir` joined with `rel` lexically; `..` above `dir` is kept (`../x`). A trailing `/` of
/// `rel` is kept.
pub fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut ups = 0usize;
    for seg in dir.split('/').chain(rel.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    ups += 1;
                }
            }
            s => parts.push(s),
        }
    }
    let mut out = "../".repeat(ups);
    out.push_str(&parts.join("/"));
    if out.ends_with('/') && parts.is_empty() {
        out.pop();
    }
    if rel.ends_with('/') && !out.is_empty() && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn parent_of(p: &str) -> String {
    let p = p.trim_end_matches('/');
    match p.rsplit_once('/') {
        Some((d, _)) => d.to_string(),
        None if p.is_empty() || p == ".." || p.ends_with("/..") => join(p, ".."),
        None => String::new(),
    }
}

fn descendants<'t>(n: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if x.kind() == kind {
            out.push(x);
        }
        let mut c = x.walk();
        stack.extend(x.named_children(&mut c));
    }
    out
}

/// A source excerpt for a reason: one line, at most 60 characters.
fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 60 {
        format!("{}…", one.chars().take(57).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn eval(src: &str) -> Val {
        exported_config(src.as_bytes(), "vite.config.ts", &|s| {
            s.starts_with("./vite.config")
        })
    }

    fn at<'v>(v: &'v Val, path: &[&str]) -> &'v Val {
        v.at(path).unwrap().unwrap()
    }

    #[test]
    fn literals_constants_and_wrappers() {
        let v = eval(
            r#"
            import { defineConfig } from "vite";
            const SRC = "src";
            export default defineConfig({
              a: 'x', b: SRC, c: `${SRC}/y`, d: [1, "two", ...["three"]], e: { ...{ f: true } },
              "g-h": null, [SRC]: 1,
            });
            "#,
        );
        assert_eq!(at(&v, &["a"]), &Val::Str("x".into()));
        assert_eq!(at(&v, &["b"]), &Val::Str("src".into()));
        assert_eq!(at(&v, &["c"]), &Val::Str("src/y".into()));
        assert_eq!(
            at(&v, &["d"]),
            &Val::Arr(
                vec![Val::Num(1.0), Val::Str("two".into()), Val::Str("three".into())],
                None
            )
        );
        assert_eq!(at(&v, &["e", "f"]), &Val::Bool(true));
        assert_eq!(at(&v, &["src"]), &Val::Num(1.0));
        assert_eq!(at(&v, &["g-h"]), &Val::Null);
        assert_eq!(v.at(&["nope"]), Ok(None));
    }

    #[test]
    fn paths() {
        let v = eval(
            r#"
            import path, { resolve } from "node:path";
            import { fileURLToPath, URL } from "node:url";
            const here = path.dirname(fileURLToPath(import.meta.url));
            const r = (p: string) => resolve(__dirname, p);
            module.exports = {
              a: path.resolve(__dirname, "./src"),
              b: path.join(__dirname, "..", "common/src"),
              c: fileURLToPath(new URL("./lib", import.meta.url)),
              d: `${path.resolve(__dirname, 'src')}/`,
              e: resolve(here, "x"),
              f: r("y/z"),
              g: path.resolve("rel"),
              h: new URL("./u", import.meta.url).pathname,
              i: import.meta.dirname,
              j: path.resolve("/abs"),
            };
            "#,
        );
        assert_eq!(at(&v, &["a"]), &Val::Path("src".into()));
        assert_eq!(at(&v, &["b"]), &Val::Path("../common/src".into()));
        assert_eq!(at(&v, &["c"]), &Val::Path("lib".into()));
        assert_eq!(at(&v, &["d"]), &Val::Path("src/".into()));
        assert_eq!(at(&v, &["e"]), &Val::Path("x".into()));
        assert_eq!(at(&v, &["f"]), &Val::Path("y/z".into()));
        assert_eq!(at(&v, &["g"]), &Val::Path("rel".into()));
        assert_eq!(at(&v, &["h"]), &Val::Path("u".into()));
        assert_eq!(at(&v, &["i"]), &Val::Path(String::new()));
        assert!(matches!(at(&v, &["j"]), Val::Unknown(_)));
    }

    #[test]
    fn config_functions_and_unknowns() {
        let v = eval(
            r#"
            import base from "./shared";
            import viteConfig from "./vite.config";
            export default defineConfig(({ mode }) => {
              const env = loadEnv(mode, process.cwd());
              return {
                ...base,
                define: { x: env.X },
                mode,
                re: /^~icons\//,
                other: viteConfig,
              };
            });
            "#,
        );
        let o = v.as_obj().unwrap();
        assert!(
            o.unknown
                .as_deref()
                .unwrap()
                .contains("`base` imported from `./shared`"),
            "{o:?}"
        );
        assert!(matches!(at(&v, &["define", "x"]), Val::Unknown(_)));
        assert!(matches!(at(&v, &["mode"]), Val::Unknown(_)));
        assert_eq!(at(&v, &["re"]), &Val::Regex("^~icons\\/".into()));
        assert_eq!(at(&v, &["other"]), &Val::OtherConfig);
        // An unknown object's missing key is unknown, not absent.
        assert!(v.at(&["resolve", "alias"]).is_err());
    }

    #[test]
    fn exports_forms() {
        assert!(matches!(eval("export const x = 1;"), Val::Unknown(_)));
        let v =
            eval("const config = { a: 'b' } satisfies C;\nexport default withX(withY(config), { y: 1 });");
        assert_eq!(at(&v, &["a"]), &Val::Str("b".into()));
        let v = eval("export default function () { return { a: 'b' } }");
        assert_eq!(at(&v, &["a"]), &Val::Str("b".into()));
        let v = eval(
            "export default mergeConfig(viteConfig, defineConfig({ test: { a: 'b' } }));\nimport viteConfig from './vite.config.ts'",
        );
        let o = v.as_obj().unwrap();
        assert_eq!(o.unknown, None, "{o:?}");
        assert_eq!(at(&v, &["test", "a"]), &Val::Str("b".into()));
        // A recursive constant does not hang.
        let v = eval("const a = b; const b = a; export default { a };");
        assert!(matches!(at(&v, &["a"]), Val::Unknown(_)));
        // Nor does a constant used many times at each level.
        let mut src = String::from("const c0 = 'x';\n");
        for i in 1..40 {
            let p = i - 1;
            let _ = writeln!(src, "const c{i} = [c{p}, c{p}, c{p}, c{p}];");
        }
        src.push_str("export default { a: c39 };");
        let _ = eval(&src);
    }

    #[test]
    fn joins() {
        assert_eq!(join("", "./src"), "src");
        assert_eq!(join("", "../x/"), "../x/");
        assert_eq!(join("a/b", "../../../c"), "../c");
        assert_eq!(parent_of("vite.config.ts"), "");
        assert_eq!(parent_of(""), "..");
    }

    proptest::proptest! {
        /// Configs are arbitrary text: reading one never panics or hangs.
        #[test]
        fn never_panics(src in "\\PC{0,200}") {
            let _ = eval(&src);
            let _ = eval(&format!("export default {{ a: {src} }}"));
            let _ = eval(&format!("export default defineConfig(() => {{ {src} }})"));
        }
    }
}
