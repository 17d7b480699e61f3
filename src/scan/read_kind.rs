//! How certain an env read is to break when the variable is unset ([`ReadKind`]), from the
//! syntax around it: called by the extraction walk for each read it records, with the read's
//! ancestors (root first), which the walk keeps on a stack. Node kinds are compared by name:
//! this runs only for env reads, a few per file, never for every node.
//!
//! Three questions, in order:
//! 1. Where does the value go? Through parentheses, `as`, `!`, `Number()`/`String()`,
//!    `?.method()`, the right side of `||`/`??`/`&&` and a ternary's branches, up to the first
//!    place that decides: the left of `??`/`||` (a fallback), a test (`!`, `===`, `if (...)`,
//!    a ternary's condition, the left of `&&`, `Boolean()`), `typeof`, a local variable, or a
//!    plain use. A test inside an `if` whose body throws or exits is no test: the variable is
//!    required.
//! 2. For a local (`const v = process.env.X`, `const { X } = process.env`): the first later use
//!    of the name in the same block, answered the same way.
//! 3. For a plain use: is it under a test of the same name (an `if`, a ternary, `&&`, or an
//!    earlier `if (...) return` in an enclosing block)?
//!
//! Plus, once per file, names a zod / t3-env / valibot schema in it marks optional.

use tree_sitter::Node;

use super::ReadKind;

/// Nodes a search for the first use of a local may visit: a bound on the work per read.
const SEARCH_BUDGET: usize = 20_000;
/// Nodes all the searches of one file may visit together: a file of thousands of locals read
/// from env stays linear (past it, locals count as plain uses).
const FILE_BUDGET: usize = 2_000_000;

/// What the analysis of one file's reads shares: the search budget left, and per block the
/// `if (...) return` statements in it (found once per block, not once per read).
pub(super) struct Analysis<'t> {
    budget: usize,
    early_returns: std::collections::HashMap<usize, Vec<Node<'t>>>,
    /// The file's `const|let|var name = <test>` declarators (name, value), found once per file
    /// on first use: a test stored in a local guards like the test itself.
    flag_locals: Option<Vec<(Vec<u8>, Node<'t>)>>,
    /// Function names -> whether every call of it in the file is guarded, by env name.
    calls_guarded: std::collections::HashMap<(Vec<u8>, Vec<u8>), bool>,
}

impl Default for Analysis<'_> {
    fn default() -> Self {
        Analysis {
            budget: FILE_BUDGET,
            early_returns: Default::default(),
            flag_locals: None,
            calls_guarded: Default::default(),
        }
    }
}
/// Ancestors looked at for a guard of the same name.
const GUARD_DEPTH: usize = 200;

/// Where a value goes, as far as [`context`] follows it.
enum Ctx<'t> {
    Kind(ReadKind),
    /// Stored in a local named `name`; `at` indexes the declarator (or assignment) in the
    /// ancestor list.
    Local {
        name: &'t [u8],
        at: usize,
        /// Stored as the value of property `key` of an object literal in the local: only
        /// `local[expr]` or `local.key` carries it on.
        key: Option<&'t [u8]>,
    },
}

/// How many locals a value is followed through (`const a = env.X; const b = c ?? a; if (!b)`).
const LOCAL_DEPTH: usize = 4;
/// How many calling functions a guard is looked for through.
const CALL_DEPTH: usize = 2;

/// The kind of the read at `read` (an expression: `process.env.X`, `Deno.env.get('X')`,
/// `env('X')`) of the variable `name`; `anc` are its ancestors, root first.
pub(super) fn of_expression<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    anc: &[Node<'t>],
    read: Node<'t>,
    name: &[u8],
) -> ReadKind {
    let kind = match context(src, anc, read) {
        Ctx::Kind(k) => k,
        Ctx::Local { name: local, at, key } => tested_local(a, src, &anc[..=at], local, key, 0),
    };
    if matches!(kind, ReadKind::Plain | ReadKind::Dependency)
        && under_same_name_guard(a, src, anc, read, name, 0)
    {
        return ReadKind::SameNameGuard;
    }
    if kind == ReadKind::Dependency && under_env_switch(src, anc, read) {
        return ReadKind::SwitchedDependency;
    }
    kind
}

/// Is `node` in the branch an `if`, a ternary or an `&&` takes when an env read is set: a
/// condition that is only `process.env.X` / `import.meta.env.X` (through `!!`, `Boolean(..)`,
/// parentheses), never a comparison (`NODE_ENV === "production"` is set in every deploy)?
fn under_env_switch(src: &[u8], anc: &[Node], node: Node) -> bool {
    let is_switch = |c: Node| {
        let t = text(src, c);
        let t = t.strip_prefix(b"!!").unwrap_or(t);
        let t = t
            .strip_prefix(b"Boolean(")
            .and_then(|r| r.strip_suffix(b")"))
            .unwrap_or(t);
        let t = t
            .strip_prefix(b"(")
            .and_then(|r| r.strip_suffix(b")"))
            .unwrap_or(t);
        let rest = t
            .strip_prefix(b"process.env.")
            .or_else(|| t.strip_prefix(b"import.meta.env."));
        rest.is_some_and(|r| !r.is_empty() && r.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'))
    };
    let mut child = node;
    for &p in anc.iter().rev().take(GUARD_DEPTH) {
        let switched = match p.kind() {
            "if_statement" | "ternary_expression" => {
                let cond = p.child_by_field_name("condition");
                let alternative = p.child_by_field_name("alternative");
                !is(cond, child) && !is(alternative, child) && cond.is_some_and(is_switch)
            }
            "binary_expression" if operator(src, p) == b"&&" => {
                is(p.child_by_field_name("right"), child)
                    && p.child_by_field_name("left").is_some_and(is_switch)
            }
            _ => false,
        };
        if switched {
            return true;
        }
        child = p;
    }
    false
}

/// The kind of a name destructured from an env object by the declarator or pattern that is
/// the last of `anc`: `with_default` for `{ X = 'd' }`, `local` the variable it binds.
pub(super) fn of_destructured<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    anc: &[Node<'t>],
    with_default: bool,
    local: &[u8],
    name: &[u8],
) -> ReadKind {
    if with_default {
        return ReadKind::Fallback;
    }
    let Some((&decl, above)) = anc.split_last() else {
        return ReadKind::Plain;
    };
    let kind = if decl.kind() == "variable_declarator" {
        tested_local(a, src, anc, local, None, 0)
    } else {
        ReadKind::Plain
    };
    if kind == ReadKind::Plain && under_same_name_guard(a, src, above, decl, name, 0) {
        return ReadKind::SameNameGuard;
    }
    kind
}

/// `start` and every node under it, depth-first in source order (pre-order), with the path to
/// the node last returned: the one walk of this module's searches, each stopping when its
/// budget runs out.
struct Walk<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
    path: Vec<Node<'t>>,
    started: bool,
    done: bool,
}

impl<'t> Walk<'t> {
    fn new(start: Node<'t>) -> Walk<'t> {
        Walk {
            cursor: start.walk(),
            path: Vec::new(),
            started: false,
            done: false,
        }
    }

    /// The ancestors of the node last returned, `start` first (empty for `start`).
    fn path(&self) -> &[Node<'t>] {
        &self.path
    }
}

impl<'t> Iterator for Walk<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(self.cursor.node());
        }
        let node = self.cursor.node();
        if self.cursor.goto_first_child() {
            self.path.push(node);
            return Some(self.cursor.node());
        }
        // The cursor is rooted at `start`: `goto_parent` fails there, and the walk is over.
        loop {
            if self.cursor.goto_next_sibling() {
                return Some(self.cursor.node());
            }
            if !self.cursor.goto_parent() {
                self.done = true;
                return None;
            }
            self.path.pop();
        }
    }
}

fn text<'s>(src: &'s [u8], node: Node) -> &'s [u8] {
    src.get(node.start_byte()..node.end_byte()).unwrap_or_default()
}

fn is(a: Option<Node>, b: Node) -> bool {
    a.is_some_and(|a| a.id() == b.id())
}

fn operator<'s>(src: &'s [u8], node: Node) -> &'s [u8] {
    node.child_by_field_name("operator")
        .map_or(&[][..], |o| text(src, o))
}

/// Follows the value of `start` (whose ancestors are `anc`) up to where it is decided.
fn context<'t>(src: &'t [u8], anc: &[Node<'t>], start: Node<'t>) -> Ctx<'t> {
    let mut w = start;
    let mut i = anc.len();
    while i > 0 {
        i -= 1;
        let p = anc[i];
        match p.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => {}
            "arguments" => match through_call(src, anc, i, p, w) {
                Step::Up => {}
                Step::Jump(j, n) => {
                    i = j;
                    w = n;
                    continue;
                }
                Step::Done(ctx) => return ctx,
            },
            "member_expression" if is(p.child_by_field_name("object"), w) => {
                // `X?.trim()`, `X?.length`: undefined flows on; `X.trim()` throws when unset.
                if p.child_by_field_name("optional_chain").is_none() {
                    return Ctx::Kind(ReadKind::Plain);
                }
                if let Some(j) = i.checked_sub(1)
                    && anc[j].kind() == "call_expression"
                    && is(anc[j].child_by_field_name("function"), p)
                {
                    i = j;
                    w = anc[j];
                    continue;
                }
            }
            "binary_expression" => {
                if let Step::Done(ctx) = through_binary(src, anc, i, p, w) {
                    return ctx;
                }
            }
            "unary_expression" => {
                return match operator(src, p) {
                    b"!" => flag(src, anc, i),
                    b"typeof" => Ctx::Kind(ReadKind::TypeGuard),
                    _ => Ctx::Kind(ReadKind::Plain),
                };
            }
            "ternary_expression" => {
                if is(p.child_by_field_name("condition"), w) {
                    return flag(src, anc, i);
                }
            }
            "if_statement" | "while_statement" | "do_statement" | "switch_statement" => {
                let field = if p.kind() == "switch_statement" {
                    "value"
                } else {
                    "condition"
                };
                return if is(p.child_by_field_name(field), w) {
                    flag(src, anc, i)
                } else {
                    Ctx::Kind(ReadKind::Plain)
                };
            }
            "variable_declarator" => return through_declarator(src, i, p, w),
            "pair" if is(p.child_by_field_name("value"), w) => return through_pair(src, anc, i, p),
            "assignment_expression" | "augmented_assignment_expression" => {
                return through_assignment(src, i, p, w);
            }
            _ => return Ctx::Kind(ReadKind::Plain),
        }
        w = p;
    }
    Ctx::Kind(ReadKind::Plain)
}

/// What one ancestor does with the value followed so far.
enum Step<'t> {
    /// Passes it on: the ancestor itself is followed.
    Up,
    /// Passes it on through an enclosing expression: the ancestor at this index is followed.
    Jump(usize, Node<'t>),
    /// Decides it.
    Done(Ctx<'t>),
}

/// `w` is an argument of the call (or `new`) whose `arguments` node is `p = anc[i]`.
fn through_call<'t>(src: &'t [u8], anc: &[Node<'t>], i: usize, p: Node<'t>, w: Node<'t>) -> Step<'t> {
    let Some(call) = i.checked_sub(1).map(|j| anc[j]) else {
        return Step::Done(Ctx::Kind(ReadKind::Plain));
    };
    let index = p
        .named_children(&mut p.walk())
        .filter(|c| c.kind() != "comment")
        .position(|c| c.id() == w.id());
    if call.kind() == "new_expression" {
        return Step::Done(Ctx::Kind(match index {
            Some(index) if to_dependency(src, anc[0], call, index, 0) => ReadKind::Dependency,
            _ => ReadKind::Plain,
        }));
    }
    if call.kind() != "call_expression" {
        return Step::Done(Ctx::Kind(ReadKind::Plain));
    }
    match (callee_name(src, call), index) {
        (b"Boolean", Some(0)) => Step::Done(flag(src, anc, i - 1)),
        (b"Number" | b"String" | b"parseInt" | b"parseFloat" | b"BigInt", Some(0)) => Step::Jump(i - 1, call),
        (_, Some(index)) if takes_undefined(src, anc[0], call, index) => {
            Step::Done(Ctx::Kind(ReadKind::TestedLocal))
        }
        (_, Some(index)) if to_dependency(src, anc[0], call, index, 0) => {
            Step::Done(Ctx::Kind(ReadKind::Dependency))
        }
        _ => Step::Done(Ctx::Kind(ReadKind::Plain)),
    }
}

/// `w` is an operand of the binary expression `p = anc[i]`.
fn through_binary<'t>(src: &'t [u8], anc: &[Node<'t>], i: usize, p: Node<'t>, w: Node<'t>) -> Step<'t> {
    let left = is(p.child_by_field_name("left"), w);
    match operator(src, p) {
        b"??" | b"||" if left => {
            let right = p.child_by_field_name("right");
            Step::Done(Ctx::Kind(if right.is_some_and(|r| throws(src, r)) {
                ReadKind::Plain
            } else {
                ReadKind::Fallback
            }))
        }
        b"??" | b"||" => Step::Up,
        b"&&" if left => Step::Done(flag(src, anc, i)),
        b"&&" => Step::Up,
        b"===" | b"!==" | b"==" | b"!=" => Step::Done(flag(src, anc, i)),
        _ => Step::Done(Ctx::Kind(ReadKind::Plain)),
    }
}

/// `const hooks = { alerts: process.env.X, ... }`: followed through the local. `p = anc[i]` is
/// the pair whose value is followed.
fn through_pair<'t>(src: &'t [u8], anc: &[Node<'t>], i: usize, p: Node<'t>) -> Ctx<'t> {
    let key = p.child_by_field_name("key").map(|k| unquote(text(src, k)));
    let decl = i.checked_sub(2).map(|j| (j, anc[j]));
    match (key, decl) {
        (Some(key), Some((j, d)))
            if anc[i - 1].kind() == "object"
                && d.kind() == "variable_declarator"
                && is(d.child_by_field_name("value"), anc[i - 1])
                && d.child_by_field_name("name")
                    .is_some_and(|n| n.kind() == "identifier") =>
        {
            Ctx::Local {
                name: d.child_by_field_name("name").map_or(&[][..], |n| text(src, n)),
                at: j,
                key: Some(key),
            }
        }
        // `createClient({ url: process.env.X })`: a property of an argument.
        _ if i.checked_sub(1).is_some_and(|j| {
            anc[j].kind() == "object" && object_argument_to_dependency(src, anc[0], anc[j], 0)
        }) =>
        {
            Ctx::Kind(ReadKind::Dependency)
        }
        _ => Ctx::Kind(ReadKind::Plain),
    }
}

/// `const v = process.env.X`: the local is followed. `p = anc[i]`.
fn through_declarator<'t>(src: &'t [u8], i: usize, p: Node<'t>, w: Node<'t>) -> Ctx<'t> {
    match p.child_by_field_name("name") {
        Some(n) if n.kind() == "identifier" && is(p.child_by_field_name("value"), w) => Ctx::Local {
            name: text(src, n),
            at: i,
            key: None,
        },
        _ => Ctx::Kind(ReadKind::Plain),
    }
}

/// `v = process.env.X`, `this.id ??= process.env.X`: the target is followed. `p = anc[i]`.
fn through_assignment<'t>(src: &'t [u8], i: usize, p: Node<'t>, w: Node<'t>) -> Ctx<'t> {
    let op_ok = p.kind() == "assignment_expression" || matches!(operator(src, p), b"??=" | b"||=");
    match p.child_by_field_name("left") {
        Some(n)
            if op_ok
                && matches!(n.kind(), "identifier" | "member_expression")
                && is(p.child_by_field_name("right"), w) =>
        {
            Ctx::Local {
                name: text(src, n),
                at: i,
                key: None,
            }
        }
        _ => Ctx::Kind(ReadKind::Plain),
    }
}

/// Is `call` a call of a function declared at the top level of the file whose parameter
/// `index` accepts `undefined`: optional (`p?: T`), with a default (`p = d`), or typed with
/// `undefined` (`p: string | undefined`)? Then the function handles the variable unset (fresh's
/// `preactDebugger(Deno.env.get("PREACT_PATH"))`); TypeScript checks that it does.
fn takes_undefined(src: &[u8], root: Node, call: Node, index: usize) -> bool {
    let Some(callee) = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "identifier")
    else {
        return false;
    };
    let name = text(src, callee);
    let declared = root.named_children(&mut root.walk()).find_map(|stmt| {
        let f = match stmt.kind() {
            "function_declaration" => stmt,
            "export_statement" => stmt
                .child_by_field_name("declaration")
                .filter(|d| d.kind() == "function_declaration")?,
            _ => return None,
        };
        f.child_by_field_name("name")
            .is_some_and(|n| text(src, n) == name)
            .then_some(f)
    });
    let Some(params) = declared.and_then(|f| f.child_by_field_name("parameters")) else {
        return false;
    };
    let Some(param) = params
        .named_children(&mut params.walk())
        .filter(|c| c.kind() != "comment")
        .nth(index)
    else {
        return false;
    };
    match param.kind() {
        "optional_parameter" | "assignment_pattern" => true,
        "required_parameter" => {
            param.child_by_field_name("value").is_some()
                || param.child_by_field_name("type").is_some_and(|t| {
                    let t = text(src, t);
                    memchr::memmem::find(t, b"undefined").is_some()
                })
        }
        _ => false,
    }
}

/// Does argument `index` of `call` (a call or a `new`) go only to a dependency's code? The
/// callee is imported from a package (not a Node built-in: `path.join(undefined)` throws), as a
/// name or the object of a method (`redis.createClient`); or, at `depth` 0, it is a class (for
/// `new`) or function declared at the top level of the file whose parameter `index` is only
/// handed on to such a callee, or stored in a field the class never dereferences (umami's
/// `UmamiRedisClient`, whose constructor does `createClient({ url })` and `this.url = url`).
/// Globals (`new URL`, `JSON.parse`, `Buffer.from`) are no dependency: they certainly throw.
fn to_dependency(src: &[u8], root: Node, call: Node, index: usize, depth: usize) -> bool {
    let callee = match call.kind() {
        "call_expression" => call.child_by_field_name("function"),
        "new_expression" => call.child_by_field_name("constructor"),
        _ => None,
    };
    let Some(callee) = callee else {
        return false;
    };
    let name = match callee.kind() {
        "identifier" => text(src, callee),
        "member_expression" => {
            return callee
                .child_by_field_name("object")
                .is_some_and(|o| o.kind() == "identifier" && imported_from_package(src, root, text(src, o)));
        }
        _ => return false,
    };
    if imported_from_package(src, root, name) {
        return true;
    }
    if depth > 0 {
        return false;
    }
    let Some((params, body, class_body)) = local_callee(src, root, name, call.kind() == "new_expression")
    else {
        return false;
    };
    let Some(param) = params
        .named_children(&mut params.walk())
        .filter(|c| c.kind() != "comment")
        .nth(index)
    else {
        return false;
    };
    let pattern = match param.kind() {
        "identifier" => Some(param),
        // `constructor(private url: string)` stores it implicitly: not followed.
        "required_parameter" | "optional_parameter"
            if !param.children(&mut param.walk()).any(|c| {
                matches!(
                    c.kind(),
                    "accessibility_modifier" | "readonly" | "override_modifier"
                )
            }) =>
        {
            param.child_by_field_name("pattern")
        }
        _ => None,
    };
    match pattern.filter(|p| p.kind() == "identifier") {
        Some(p) => only_handed_on(src, root, body, class_body, text(src, p), depth),
        None => false,
    }
}

/// `object` is an argument of a call or `new` (`f({ url })`) whose argument goes only to a
/// dependency ([`to_dependency`]).
fn object_argument_to_dependency(src: &[u8], root: Node, object: Node, depth: usize) -> bool {
    let Some(args) = object.parent().filter(|a| a.kind() == "arguments") else {
        return false;
    };
    let Some(call) = args.parent() else {
        return false;
    };
    args.named_children(&mut args.walk())
        .filter(|c| c.kind() != "comment")
        .position(|c| c.id() == object.id())
        .is_some_and(|index| to_dependency(src, root, call, index, depth))
}

/// The parameters and body of the class constructor (`new`) or function `name` declared at the
/// top level of the file (exported or not), and the class body for a class.
fn local_callee<'t>(
    src: &[u8],
    root: Node<'t>,
    name: &[u8],
    class: bool,
) -> Option<(Node<'t>, Node<'t>, Option<Node<'t>>)> {
    for stmt in root.named_children(&mut root.walk()) {
        let decl = match stmt.kind() {
            "export_statement" => match stmt.child_by_field_name("declaration") {
                Some(d) => d,
                None => continue,
            },
            _ => stmt,
        };
        match decl.kind() {
            "class_declaration" | "abstract_class_declaration" | "class" if class => {
                if decl
                    .child_by_field_name("name")
                    .is_none_or(|n| text(src, n) != name)
                {
                    continue;
                }
                let body = decl.child_by_field_name("body")?;
                let ctor = body.named_children(&mut body.walk()).find(|m| {
                    m.kind() == "method_definition"
                        && m.child_by_field_name("name")
                            .is_some_and(|n| text(src, n) == b"constructor")
                })?;
                return Some((
                    ctor.child_by_field_name("parameters")?,
                    ctor.child_by_field_name("body")?,
                    Some(body),
                ));
            }
            "function_declaration" if !class => {
                if decl
                    .child_by_field_name("name")
                    .is_none_or(|n| text(src, n) != name)
                {
                    continue;
                }
                return Some((
                    decl.child_by_field_name("parameters")?,
                    decl.child_by_field_name("body")?,
                    None,
                ));
            }
            _ => {}
        }
    }
    None
}

/// Is every use of the parameter `param` in `body` an argument handed to a dependency
/// (directly, or as a property of an object literal argument: `createClient({ url })`), or a
/// store into a field `this.f` that `class_body` never dereferences (`this.f.x`, `this.f[..]`,
/// `this.f(..)`)? And is there one?
fn only_handed_on(
    src: &[u8],
    root: Node,
    body: Node,
    class_body: Option<Node>,
    param: &[u8],
    depth: usize,
) -> bool {
    let mut budget = SEARCH_BUDGET;
    let mut handed = false;
    for node in Walk::new(body) {
        budget = match budget.checked_sub(1) {
            Some(b) => b,
            None => return false,
        };
        if matches!(node.kind(), "identifier" | "shorthand_property_identifier") && text(src, node) == param {
            let Some(parent) = node.parent() else {
                return false;
            };
            let ok = match parent.kind() {
                "arguments" => parent.parent().is_some_and(|call| {
                    parent
                        .named_children(&mut parent.walk())
                        .filter(|c| c.kind() != "comment")
                        .position(|c| c.id() == node.id())
                        .is_some_and(|i| to_dependency(src, root, call, i, depth + 1))
                }),
                "object" => object_argument_to_dependency(src, root, parent, depth + 1),
                "pair" if is(parent.child_by_field_name("value"), node) => parent.parent().is_some_and(|o| {
                    o.kind() == "object" && object_argument_to_dependency(src, root, o, depth + 1)
                }),
                "assignment_expression" if is(parent.child_by_field_name("right"), node) => {
                    stored_never_dereferenced(src, parent.child_by_field_name("left"), class_body)
                }
                _ => false,
            };
            if !ok {
                return false;
            }
            handed = true;
        }
    }
    handed
}

/// `left` is `this.f`, and no `this.f.`, `this.f[` or `this.f(` appears in `class_body`.
fn stored_never_dereferenced(src: &[u8], left: Option<Node>, class_body: Option<Node>) -> bool {
    let (Some(left), Some(class_body)) = (left, class_body) else {
        return false;
    };
    if left.kind() != "member_expression"
        || left
            .child_by_field_name("object")
            .is_none_or(|o| o.kind() != "this")
    {
        return false;
    }
    let field = text(src, left);
    let hay = text(src, class_body);
    !memchr::memmem::find_iter(hay, field).any(|at| {
        let rest = &hay[at + field.len()..];
        let next = rest.iter().copied().find(|b| !b.is_ascii_whitespace());
        let word = rest
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$');
        !word && matches!(next, Some(b'.' | b'[' | b'(')) && !rest.starts_with(b"?.")
    })
}

/// Is `name` bound at the top level of the file by an import of a package: `import x from
/// 'pkg'`, `import * as x`, `import { y as x }`, `const x = require('pkg')`, `const { x } =
/// require('pkg')`? A package is a bare specifier that is not a Node built-in, an import-map
/// `#x`, or a `~`/`@/` alias.
fn imported_from_package(src: &[u8], root: Node, name: &[u8]) -> bool {
    let package = |spec: Node| {
        let raw = text(src, spec);
        let spec = unquote(raw);
        let spec = std::str::from_utf8(spec).unwrap_or("");
        let first = spec.split('/').next().unwrap_or("");
        !spec.is_empty()
            && !spec.starts_with(['.', '/', '#', '~', '$'])
            && !spec.starts_with("@/")
            && !spec.contains(':')
            && !nodejs_built_in_modules::is_nodejs_builtin_module(spec)
            && !nodejs_built_in_modules::is_nodejs_builtin_module(first)
    };
    let binds = |n: Node| match n.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => text(src, n) == name,
        _ => false,
    };
    for stmt in root.named_children(&mut root.walk()) {
        match stmt.kind() {
            "import_statement" => {
                let Some(source) = stmt.child_by_field_name("source") else {
                    continue;
                };
                let Some(clause) = stmt
                    .named_children(&mut stmt.walk())
                    .find(|c| c.kind() == "import_clause")
                else {
                    continue;
                };
                let bound = clause.named_children(&mut clause.walk()).any(|c| match c.kind() {
                    "identifier" => binds(c),
                    "namespace_import" => c.named_children(&mut c.walk()).any(binds),
                    "named_imports" => c.named_children(&mut c.walk()).any(|s| {
                        s.kind() == "import_specifier"
                            && s.child_by_field_name("alias")
                                .or_else(|| s.child_by_field_name("name"))
                                .is_some_and(binds)
                    }),
                    _ => false,
                });
                if bound {
                    return package(source);
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                for d in stmt.named_children(&mut stmt.walk()) {
                    let (Some(n), Some(v)) = (d.child_by_field_name("name"), d.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    let bound = match n.kind() {
                        "identifier" => binds(n),
                        "object_pattern" => n.named_children(&mut n.walk()).any(|p| match p.kind() {
                            "shorthand_property_identifier_pattern" => binds(p),
                            "pair_pattern" => p.child_by_field_name("value").is_some_and(binds),
                            _ => false,
                        }),
                        _ => false,
                    };
                    if !bound {
                        continue;
                    }
                    let required = v.kind() == "call_expression"
                        && v.child_by_field_name("function")
                            .is_some_and(|f| text(src, f) == b"require");
                    let spec = v
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .filter(|s| s.kind() == "string");
                    return required && spec.is_some_and(package);
                }
            }
            _ => {}
        }
    }
    false
}

/// `f(...)` or `a.f(...)`: `f`.
fn callee_name<'s>(src: &'s [u8], call: Node) -> &'s [u8] {
    match call.child_by_field_name("function") {
        Some(f) if f.kind() == "identifier" => text(src, f),
        Some(f) if f.kind() == "member_expression" => f
            .child_by_field_name("property")
            .map_or(&[][..], |p| text(src, p)),
        _ => &[],
    }
}

/// A test at `anc[at]`: a flag, unless the test is (part of) the condition of an `if` whose
/// body throws or exits: then the variable is required.
fn flag<'t>(src: &[u8], anc: &[Node<'t>], at: usize) -> Ctx<'t> {
    let mut child = anc[at];
    // Is the condition true when the variable is unset (`!X`, `X === undefined`)? Only then does
    // an `if` that throws make it required: `if (graphId) throw ...` forbids a value instead.
    let mut unset_true = match anc[at].kind() {
        "unary_expression" => operator(src, anc[at]) == b"!",
        "binary_expression" => {
            let nullish = |n: Option<Node>| {
                n.is_some_and(|n| matches!(text(src, n), b"undefined" | b"null" | b"''" | b"\"\"" | b"``"))
            };
            let op = operator(src, anc[at]);
            let other_nullish =
                nullish(anc[at].child_by_field_name("left")) || nullish(anc[at].child_by_field_name("right"));
            (matches!(op, b"===" | b"==") && other_nullish)
                || (matches!(op, b"!==" | b"!=") && !other_nullish)
        }
        _ => false,
    };
    let mut j = at;
    while j > 0 {
        j -= 1;
        let p = anc[j];
        let through = match p.kind() {
            "parenthesized_expression" => true,
            "unary_expression" => {
                let not = operator(src, p) == b"!";
                unset_true ^= not;
                not
            }
            "binary_expression" => matches!(operator(src, p), b"&&" | b"||"),
            "if_statement" => {
                if is(p.child_by_field_name("condition"), child)
                    && unset_true
                    && p.child_by_field_name("consequence")
                        .is_some_and(|c| exits(src, c))
                {
                    return Ctx::Kind(ReadKind::Plain);
                }
                false
            }
            _ => false,
        };
        if !through {
            break;
        }
        child = p;
    }
    Ctx::Kind(ReadKind::Flag)
}

/// A statement that throws or ends the process: `throw`, `process.exit()`, `Deno.exit()`,
/// directly or as a statement of a block.
fn exits(src: &[u8], stmt: Node) -> bool {
    let one = |s: Node| match s.kind() {
        "throw_statement" => true,
        "expression_statement" => s.named_child(0).is_some_and(|e| {
            e.kind() == "call_expression"
                && e.child_by_field_name("function").is_some_and(|f| {
                    matches!(text(src, f), b"process.exit" | b"Deno.exit" | b"process.abort")
                })
        }),
        _ => false,
    };
    if stmt.kind() == "statement_block" {
        stmt.named_children(&mut stmt.walk()).any(one)
    } else {
        one(stmt)
    }
}

/// A statement that leaves the enclosing function or loop without throwing: `return`,
/// `continue`, `break`, directly or as a statement of a block.
fn leaves(stmt: Node) -> bool {
    let one = |s: Node| {
        matches!(
            s.kind(),
            "return_statement" | "continue_statement" | "break_statement"
        )
    };
    if stmt.kind() == "statement_block" {
        stmt.named_children(&mut stmt.walk()).any(one)
    } else {
        one(stmt)
    }
}

/// The right side of a fallback that throws instead of giving a value: a `throw` inside it (an
/// immediately invoked function), or a call to a function whose name says so
/// (`throwMissing()`, `required('X')`, `invariant(...)`).
fn throws(src: &[u8], node: Node) -> bool {
    if node.kind() == "call_expression" {
        let name = callee_name(src, node).to_ascii_lowercase();
        let says = [
            "throw",
            "fail",
            "require",
            "invariant",
            "assert",
            "panic",
            "missing",
        ]
        .iter()
        .any(|w| name.windows(w.len()).any(|x| x == w.as_bytes()));
        if says {
            return true;
        }
    }
    let mut budget = 2000usize;
    for n in Walk::new(node) {
        if n.kind() == "throw_statement" {
            return true;
        }
        budget -= 1;
        if budget == 0 {
            return false;
        }
    }
    false
}

/// A local `name` declared by `anc`'s last node: the kind of the first later use of the name
/// in the enclosing block. Tested or given a fallback there: [`ReadKind::TestedLocal`]. `key`:
/// the value is property `key` of an object in the local (`hooks[type]`, `hooks.key` carry it
/// on). Stored again in another local, that one is followed (up to [`LOCAL_DEPTH`]).
fn tested_local<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    anc: &[Node<'t>],
    name: &[u8],
    key: Option<&[u8]>,
    depth: usize,
) -> ReadKind {
    // The enclosing blocks, innermost first, up to the function's body: the first later use
    // may follow the block that assigns (`let v; if (a) { v = process.env.A } ...; if (!v)`).
    let mut end = anc.len();
    for _ in 0..8 {
        let Some(k) = anc[..end].iter().rposition(|n| {
            matches!(
                n.kind(),
                "program" | "statement_block" | "switch_case" | "switch_default"
            )
        }) else {
            return ReadKind::Plain;
        };
        let Some(&stmt) = anc.get(k + 1) else {
            return ReadKind::Plain;
        };
        if let Some((mut use_node, mut path)) = first_use(&mut a.budget, src, anc[k], stmt, name) {
            if let Some(key) = key {
                // Only an access of that property (or a computed one) carries the value on.
                let Some(&access) = path.last() else {
                    return ReadKind::Plain;
                };
                let carries = is(access.child_by_field_name("object"), use_node)
                    && match access.kind() {
                        "subscript_expression" => true,
                        "member_expression" => access
                            .child_by_field_name("property")
                            .is_some_and(|p| text(src, p) == key),
                        _ => false,
                    };
                if !carries {
                    return ReadKind::Plain;
                }
                use_node = access;
                path.pop();
            }
            let mut ancestors: Vec<Node> = anc[..=k].to_vec();
            ancestors.extend(path);
            return match context(src, &ancestors, use_node) {
                // Only the first use is looked at: a later one may dereference the local.
                Ctx::Kind(ReadKind::Plain | ReadKind::Dependency) => ReadKind::Plain,
                Ctx::Local { name, at, key } if depth < LOCAL_DEPTH => {
                    match tested_local(a, src, &ancestors[..=at], name, key, depth + 1) {
                        ReadKind::Plain => ReadKind::Plain,
                        _ => ReadKind::TestedLocal,
                    }
                }
                Ctx::Local { .. } => ReadKind::Plain,
                Ctx::Kind(_) => ReadKind::TestedLocal,
            };
        }
        // No use in this block: the next block out, unless that leaves the function.
        let leaves_function = anc[..k].last().is_some_and(|n| {
            matches!(
                n.kind(),
                "function_declaration"
                    | "function_expression"
                    | "function"
                    | "arrow_function"
                    | "method_definition"
                    | "generator_function_declaration"
                    | "class_body"
            )
        });
        if leaves_function || k == 0 {
            return ReadKind::Plain;
        }
        end = k;
    }
    ReadKind::Plain
}

/// The first identifier `name` in the statements of `block` after `stmt`, with its ancestors
/// below `block` (outermost first). `None` past the search budget.
fn first_use<'t>(
    file_budget: &mut usize,
    src: &[u8],
    block: Node<'t>,
    stmt: Node<'t>,
    name: &[u8],
) -> Option<(Node<'t>, Vec<Node<'t>>)> {
    let mut budget = SEARCH_BUDGET.min(*file_budget);
    let found = first_use_within(&mut budget, src, block, stmt, name);
    *file_budget -= SEARCH_BUDGET.min(*file_budget) - budget;
    found
}

fn first_use_within<'t>(
    budget: &mut usize,
    src: &[u8],
    block: Node<'t>,
    stmt: Node<'t>,
    name: &[u8],
) -> Option<(Node<'t>, Vec<Node<'t>>)> {
    let mut after = false;
    for s in block.named_children(&mut block.walk()) {
        if !after {
            after = s.id() == stmt.id();
            continue;
        }
        let mut walk = Walk::new(s);
        while let Some(node) = walk.next() {
            let path = walk.path();
            *budget = budget.checked_sub(1)?;
            // `v = v || d`: the target is not a use (its right side is, read first).
            let target = path.last().is_some_and(|p| {
                p.kind() == "assignment_expression" && is(p.child_by_field_name("left"), node)
            });
            let named = match node.kind() {
                "identifier" | "shorthand_property_identifier" => true,
                // `this.id` stored by `this.id ??= process.env.X`.
                "member_expression" => name.contains(&b'.'),
                _ => false,
            };
            if named && !target && text(src, node) == name {
                return Some((node, path.to_vec()));
            }
        }
    }
    None
}

/// Does `node` sit under a test that reads `name`: in a branch of an `if` or ternary whose
/// condition mentions it, on the right of `&&`/`||`/`??` whose left does, or after an
/// `if (...) return` that does, in an enclosing block? A local holding a test of it
/// (`const enabled = !!process.env.X`) counts as the name. Inside a function of the file that
/// is not exported, every call of which is under such a test (up to [`CALL_DEPTH`] callers):
/// guarded too.
fn under_same_name_guard<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    anc: &[Node<'t>],
    node: Node<'t>,
    name: &[u8],
    depth: usize,
) -> bool {
    let Some(&root) = anc.first() else {
        return false;
    };
    let aliases = flag_aliases(a, src, root, name);
    let mentions_guard = |c: Node| mentions(src, c, name) || aliases.iter().any(|al| mentions(src, c, al));
    let mut child = node;
    for (i, &p) in anc.iter().enumerate().rev().take(GUARD_DEPTH) {
        let guarded = match p.kind() {
            "if_statement" => {
                let cond = p.child_by_field_name("condition");
                !is(cond, child) && cond.is_some_and(mentions_guard)
            }
            "ternary_expression" => {
                let cond = p.child_by_field_name("condition");
                !is(cond, child) && cond.is_some_and(mentions_guard)
            }
            "binary_expression" if matches!(operator(src, p), b"&&" | b"||" | b"??") => {
                is(p.child_by_field_name("right"), child)
                    && p.child_by_field_name("left").is_some_and(mentions_guard)
            }
            "program" | "statement_block" | "switch_case" | "switch_default" => {
                early_return_before(a, src, p, child, &mentions_guard)
            }
            "function_declaration" | "arrow_function" | "function_expression" | "function" => {
                if depth < CALL_DEPTH
                    && let Some(fname) = function_name(src, anc, i)
                {
                    return every_call_guarded(a, src, root, fname, name, depth);
                }
                false
            }
            _ => false,
        };
        if guarded {
            return true;
        }
        child = p;
    }
    false
}

/// The name of the function at `anc[i]` when the file alone calls it: a `function f` or
/// `const f = () => ...` that is not exported.
fn function_name<'t>(src: &'t [u8], anc: &[Node<'t>], i: usize) -> Option<&'t [u8]> {
    let f = anc[i];
    let parent = i.checked_sub(1).map(|j| anc[j]);
    let (name, holder) = if f.kind() == "function_declaration" {
        (f.child_by_field_name("name")?, parent?)
    } else {
        let decl =
            parent.filter(|d| d.kind() == "variable_declarator" && is(d.child_by_field_name("value"), f))?;
        let name = decl
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")?;
        (name, i.checked_sub(2).map(|j| anc[j])?)
    };
    let exported = |n: Node| n.kind() == "export_statement";
    if exported(holder) || holder.parent().is_some_and(exported) {
        return None;
    }
    Some(text(src, name))
}

/// Is every reference to the function `fname` in the file a call under a guard of `name`
/// (and there is one)? Memoised per file.
fn every_call_guarded<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    root: Node<'t>,
    fname: &[u8],
    name: &[u8],
    depth: usize,
) -> bool {
    let memo_key = (fname.to_vec(), name.to_vec());
    if let Some(&v) = a.calls_guarded.get(&memo_key) {
        return v;
    }
    a.calls_guarded.insert(memo_key.clone(), false); // recursion stops here
    let mut refs: Vec<(Node<'t>, Vec<Node<'t>>)> = Vec::new();
    let mut ok = true;
    let mut walk = Walk::new(root);
    while let Some(node) = walk.next() {
        if a.budget == 0 {
            ok = false;
            break;
        }
        a.budget -= 1;
        if node.kind() == "identifier" && text(src, node) == fname {
            refs.push((node, walk.path().to_vec()));
        }
    }
    // The declaration's own name is not a reference.
    refs.retain(|(n, _)| {
        !n.parent().is_some_and(|p| {
            matches!(p.kind(), "function_declaration" | "variable_declarator")
                && is(p.child_by_field_name("name"), *n)
        })
    });
    let result = ok
        && !refs.is_empty()
        && refs.iter().all(|(n, path)| {
            let Some(&call) = path.last() else {
                return false;
            };
            call.kind() == "call_expression"
                && is(call.child_by_field_name("function"), *n)
                && under_same_name_guard(a, src, &path[..path.len() - 1], call, name, depth + 1)
        });
    a.calls_guarded.insert(memo_key, result);
    result
}

/// Locals of the file holding a test of `name`: `const enabled = Boolean(process.env.X)`,
/// `!!process.env.X && ...`, `process.env.X === 'on'`, or the read itself
/// (`const url = process.env.X`). Not a local built from it (`const c = new Client(...)`).
fn flag_aliases<'t>(a: &mut Analysis<'t>, src: &[u8], root: Node<'t>, name: &[u8]) -> Vec<Vec<u8>> {
    if a.flag_locals.is_none() {
        let mut found = Vec::new();
        let mut budget = FILE_BUDGET.min(a.budget);
        for node in Walk::new(root) {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                break;
            }
            if node.kind() == "variable_declarator"
                && let (Some(n), Some(v)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                )
                && n.kind() == "identifier"
                && is_test_like(src, v)
            {
                found.push((text(src, n).to_vec(), v));
            }
        }
        a.flag_locals = Some(found);
    }
    a.flag_locals
        .as_ref()
        .map(|l| {
            l.iter()
                .filter(|(_, v)| mentions(src, *v, name))
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A value that is a test, or an env read as it is: `!x`, `Boolean(x)`, `a && b`, `a === b`,
/// `process.env.X`, `Deno.env.get("X")`, in parentheses.
fn is_test_like(src: &[u8], v: Node) -> bool {
    match v.kind() {
        "parenthesized_expression" => v.named_child(0).is_some_and(|c| is_test_like(src, c)),
        "unary_expression" => operator(src, v) == b"!",
        "binary_expression" => matches!(operator(src, v), b"&&" | b"||" | b"===" | b"!==" | b"==" | b"!="),
        "call_expression" => matches!(callee_name(src, v), b"Boolean" | b"get"),
        "member_expression" => {
            let t = text(src, v);
            t.starts_with(b"process.env.") || t.starts_with(b"import.meta.env.")
        }
        _ => false,
    }
}

/// A statement of `block` before `stmt`: `if (<mentions name>) return|continue|break` (not
/// throw: that makes it required).
fn early_return_before<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    block: Node<'t>,
    stmt: Node<'t>,
    mentions_guard: &dyn Fn(Node) -> bool,
) -> bool {
    let ifs = a.early_returns.entry(block.id()).or_insert_with(|| {
        block
            .named_children(&mut block.walk())
            .filter(|s| {
                s.kind() == "if_statement"
                    && s.child_by_field_name("consequence")
                        .is_some_and(|c| leaves(c) && !exits(src, c))
            })
            .collect()
    });
    ifs.iter()
        .take_while(|s| s.start_byte() < stmt.start_byte())
        .any(|s| s.child_by_field_name("condition").is_some_and(mentions_guard))
}

/// A property key without its quotes.
fn unquote(k: &[u8]) -> &[u8] {
    match k.first() {
        Some(b'"' | b'\'') if k.len() >= 2 => &k[1..k.len() - 1],
        _ => k,
    }
}

/// Does the text of `node` hold `name` as a whole word (`process.env.X`, `'X' in process.env`,
/// `Deno.env.get("X")`)?
fn mentions(src: &[u8], node: Node, name: &[u8]) -> bool {
    let hay = text(src, node);
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    if name.is_empty() {
        return false;
    }
    memchr::memmem::find_iter(hay, name).any(|at| {
        let before = at.checked_sub(1).map(|i| hay[i]);
        let after = hay.get(at + name.len()).copied();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// Keys of object literals whose value a zod / valibot / t3-env schema marks optional:
/// `X: z.string().optional()`, `.default(...)`, `.nullish()`, `.catch(...)`, `z.optional(...)`,
/// `v.optional(...)`, `v.nullish(...)`. One walk of the tree, for files whose text mentions one
/// of those words (see [`might_have_schema`]).
pub(super) fn optional_schema_keys(src: &[u8], root: Node) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for node in Walk::new(root) {
        if node.kind() == "pair"
            && let (Some(key), Some(value)) =
                (node.child_by_field_name("key"), node.child_by_field_name("value"))
            && optional_schema(src, value)
        {
            let k = text(src, key);
            let k = match k.first() {
                Some(b'"' | b'\'') if k.len() >= 2 => &k[1..k.len() - 1],
                _ => k,
            };
            out.push(k.to_vec());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a file may hold a schema that marks names optional: worth the extra walk.
pub(super) fn might_have_schema(src: &[u8]) -> bool {
    ["optional(", "default(", "nullish(", "catch("]
        .iter()
        .any(|w| memchr::memmem::find(src, w.as_bytes()).is_some())
}

/// A schema expression whose outermost calls include an optional marker.
fn optional_schema(src: &[u8], value: Node) -> bool {
    let mut node = value;
    for _ in 0..32 {
        if node.kind() != "call_expression" {
            return false;
        }
        let Some(function) = node.child_by_field_name("function") else {
            return false;
        };
        let name = callee_name(src, node);
        if matches!(
            name,
            b"optional" | b"default" | b"nullish" | b"catch" | b"exactOptional"
        ) {
            return true;
        }
        // `z.string().url().optional()`: the object of the method is the rest of the chain.
        match function.kind() {
            "member_expression" => match function.child_by_field_name("object") {
                Some(o) => node = o,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}
