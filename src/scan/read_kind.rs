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
}

impl Default for Analysis<'_> {
    fn default() -> Self {
        Analysis {
            budget: FILE_BUDGET,
            early_returns: Default::default(),
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
    },
}

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
        Ctx::Local { name: local, at } => tested_local(a, src, &anc[..=at], local),
    };
    if kind == ReadKind::Plain && under_same_name_guard(a, src, anc, read, name) {
        return ReadKind::SameNameGuard;
    }
    kind
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
        tested_local(a, src, anc, local)
    } else {
        ReadKind::Plain
    };
    if kind == ReadKind::Plain && under_same_name_guard(a, src, above, decl, name) {
        return ReadKind::SameNameGuard;
    }
    kind
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
            "arguments" => {
                let Some(call) = i.checked_sub(1).map(|j| anc[j]) else {
                    return Ctx::Kind(ReadKind::Plain);
                };
                let first = p.named_children(&mut p.walk()).find(|c| c.kind() != "comment");
                if call.kind() != "call_expression" || !is(first, w) {
                    return Ctx::Kind(ReadKind::Plain);
                }
                match callee_name(src, call) {
                    b"Boolean" => return flag(src, anc, i - 1),
                    b"Number" | b"String" | b"parseInt" | b"parseFloat" | b"BigInt" => {
                        i -= 1;
                        w = call;
                        continue;
                    }
                    _ => return Ctx::Kind(ReadKind::Plain),
                }
            }
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
                let left = is(p.child_by_field_name("left"), w);
                match operator(src, p) {
                    b"??" | b"||" if left => {
                        let right = p.child_by_field_name("right");
                        return Ctx::Kind(if right.is_some_and(|r| throws(src, r)) {
                            ReadKind::Plain
                        } else {
                            ReadKind::Fallback
                        });
                    }
                    b"??" | b"||" => {}
                    b"&&" if left => return flag(src, anc, i),
                    b"&&" => {}
                    b"===" | b"!==" | b"==" | b"!=" => return flag(src, anc, i),
                    _ => return Ctx::Kind(ReadKind::Plain),
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
            "variable_declarator" => {
                return match p.child_by_field_name("name") {
                    Some(n) if n.kind() == "identifier" && is(p.child_by_field_name("value"), w) => {
                        Ctx::Local {
                            name: text(src, n),
                            at: i,
                        }
                    }
                    _ => Ctx::Kind(ReadKind::Plain),
                };
            }
            "assignment_expression" => {
                return match p.child_by_field_name("left") {
                    Some(n) if n.kind() == "identifier" && is(p.child_by_field_name("right"), w) => {
                        Ctx::Local {
                            name: text(src, n),
                            at: i,
                        }
                    }
                    _ => Ctx::Kind(ReadKind::Plain),
                };
            }
            _ => return Ctx::Kind(ReadKind::Plain),
        }
        w = p;
    }
    Ctx::Kind(ReadKind::Plain)
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
    let mut j = at;
    while j > 0 {
        j -= 1;
        let p = anc[j];
        let through = match p.kind() {
            "parenthesized_expression" => true,
            "unary_expression" => operator(src, p) == b"!",
            "binary_expression" => matches!(operator(src, p), b"&&" | b"||"),
            "if_statement" => {
                if is(p.child_by_field_name("condition"), child)
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
    let mut cursor = node.walk();
    let mut budget = 2000usize;
    'dfs: loop {
        if cursor.node().kind() == "throw_statement" {
            return true;
        }
        budget -= 1;
        if budget == 0 {
            return false;
        }
        if cursor.goto_first_child() {
            continue;
        }
        // The cursor is rooted at `node`: `goto_parent` fails there.
        loop {
            if cursor.goto_next_sibling() {
                continue 'dfs;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// A local `name` declared by `anc`'s last node: the kind of the first later use of the name
/// in the enclosing block. Tested or given a fallback there: [`ReadKind::TestedLocal`].
fn tested_local<'t>(a: &mut Analysis<'t>, src: &[u8], anc: &[Node<'t>], name: &[u8]) -> ReadKind {
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
        if let Some((use_node, path)) = first_use(&mut a.budget, src, anc[k], stmt, name) {
            let mut ancestors: Vec<Node> = anc[..=k].to_vec();
            ancestors.extend(path);
            return match context(src, &ancestors, use_node) {
                Ctx::Kind(ReadKind::Plain) | Ctx::Local { .. } => ReadKind::Plain,
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
        // Depth-first, in source order, keeping the path (the cursor is rooted at `s`).
        let mut cursor = s.walk();
        let mut path: Vec<Node<'t>> = Vec::new();
        'dfs: loop {
            let node = cursor.node();
            *budget = budget.checked_sub(1)?;
            // `v = v || d`: the target is not a use (its right side is, read first).
            let target = path.last().is_some_and(|p| {
                p.kind() == "assignment_expression" && is(p.child_by_field_name("left"), node)
            });
            if matches!(node.kind(), "identifier" | "shorthand_property_identifier")
                && !target
                && text(src, node) == name
            {
                return Some((node, path));
            }
            if cursor.goto_first_child() {
                path.push(node);
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'dfs;
                }
                if !cursor.goto_parent() {
                    break 'dfs;
                }
                path.pop();
            }
        }
    }
    None
}

/// Does `node` sit under a test that reads `name`: in a branch of an `if` or ternary whose
/// condition mentions it, on the right of `&&`/`||`/`??` whose left does, or after an
/// `if (...) return` that does, in an enclosing block?
fn under_same_name_guard<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    anc: &[Node<'t>],
    node: Node<'t>,
    name: &[u8],
) -> bool {
    let mut child = node;
    for &p in anc.iter().rev().take(GUARD_DEPTH) {
        let guarded = match p.kind() {
            "if_statement" => {
                let cond = p.child_by_field_name("condition");
                !is(cond, child) && cond.is_some_and(|c| mentions(src, c, name))
            }
            "ternary_expression" => {
                let cond = p.child_by_field_name("condition");
                !is(cond, child) && cond.is_some_and(|c| mentions(src, c, name))
            }
            "binary_expression" if matches!(operator(src, p), b"&&" | b"||" | b"??") => {
                is(p.child_by_field_name("right"), child)
                    && p.child_by_field_name("left")
                        .is_some_and(|l| mentions(src, l, name))
            }
            "program" | "statement_block" | "switch_case" | "switch_default" => {
                early_return_before(a, src, p, child, name)
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

/// A statement of `block` before `stmt`: `if (<mentions name>) return|continue|break` (not
/// throw: that makes it required).
fn early_return_before<'t>(
    a: &mut Analysis<'t>,
    src: &[u8],
    block: Node<'t>,
    stmt: Node<'t>,
    name: &[u8],
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
        .any(|s| {
            s.child_by_field_name("condition")
                .is_some_and(|c| mentions(src, c, name))
        })
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
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
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
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                out.sort();
                out.dedup();
                return out;
            }
        }
    }
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
