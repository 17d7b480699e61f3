//! tree-sitter extraction: one pass of a `TreeCursor` over the syntax tree, comparing kind and
//! field ids looked up once per grammar. No `Query`: building one costs 40–75 ms per process and
//! matching is ~20% slower than this walk (NOTES.md). The walk is iterative, so deeply nested
//! code cannot overflow the stack, and it carries on past ERROR nodes.

use std::cell::RefCell;
use std::sync::OnceLock;

use memchr::memmem;
use tree_sitter::{Language, Node, Parser, Tree};

use super::comments;
use super::pos::Positions;
use super::read_kind;
use super::strings;
use super::{EnvRead, EnvSource, Facts, Import, ImportKind, Lang, ReadKind, ScanOptions, Suppression};

/// Files without any of these words cannot hold a fact, and are not parsed.
/// (`from` for `export ... from`, `Mock` for `jest.doMock` and friends.)
const TRIGGERS: [&[u8]; 8] = [
    b"import",
    b"require",
    b"env",
    b"mock",
    b"Mock",
    b"from",
    b"reference",
    b"hookctl-ignore",
];

/// `jest.X('m')` / `vi.X('m')` calls whose first argument is a module specifier.
const MOCK_METHODS: [&[u8]; 14] = [
    b"mock",
    b"unstable_mockModule",
    b"doMock",
    b"unmock",
    b"doUnmock",
    b"dontMock",
    b"deepUnmock",
    b"setMock",
    b"requireActual",
    b"requireMock",
    b"importActual",
    b"importMock",
    b"createMockFromModule",
    b"genMockFromModule",
];

/// Extracts imports, env reads and suppression comments from one file. Never panics; facts
/// come out sorted by position.
pub fn extract(lang: Lang, src: &[u8], opts: &ScanOptions) -> Facts {
    if !worth_parsing(src, opts) {
        return Facts::default();
    }
    if !whole_only()
        && let Some(facts) = extract_prefix(lang, src, opts)
    {
        return facts;
    }
    extract_parsed(lang, src, opts, false)
}

/// How many bytes of `src` [`extract`] gives the parser first: `None` when it parses nothing
/// (no trigger word), else the prefix [`prefix_cut`] allows or the whole file. (When a prefix
/// parses with an error, `extract` parses the whole file as well.) For the parse floor of
/// `benches/parse_floor.rs`: the parse of exactly the text a cold check parses.
pub fn parse_extent(src: &[u8], opts: &ScanOptions) -> Option<usize> {
    worth_parsing(src, opts).then(|| prefix_cut(src, opts).unwrap_or(src.len()))
}

#[cfg(test)]
thread_local! {
    /// Tests: `extract` parses every file whole, as before the prefix parse.
    pub(super) static WHOLE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn whole_only() -> bool {
    #[cfg(test)]
    return WHOLE_ONLY.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// A file that can hold no env read has all its facts (imports, suppressions, the directive
/// prologue) in the statements that hold an import or suppression word: parsed up to the first
/// statement boundary after the last one ([`prefix_cut`]), its facts are those of the whole file. `None` when there is no such boundary, or the prefix does
/// not parse cleanly (the cut was not a statement boundary): the caller parses the whole file.
/// `had_errors` then describes the prefix, which parsed without error.
pub(super) fn extract_prefix(lang: Lang, src: &[u8], opts: &ScanOptions) -> Option<Facts> {
    let prefix = &src[..prefix_cut(src, opts)?];
    let tree = parse(lang, prefix)?;
    let root = tree.root_node();
    if root.has_error() || ends_open(root, prefix) {
        return None;
    }
    Some(facts_of(lang, prefix, &tree, opts, false))
}

/// Statement keywords that, at column 0 of a line, begin a statement the line before cannot
/// run into: the grammar's automatic-semicolon scanner ends the statement before at a line
/// break followed by a letter (all but `in`/`instanceof`), and none of these continues a
/// statement that needs no semicolon (as `else`, `catch`, `finally`, `while` do). `type` and
/// `async` count only as `type Name` and `async function`. (`import` is not one: it is
/// itself a word the cut must follow.)
const CUT_KEYWORDS: [&[u8]; 13] = [
    b"export",
    b"const",
    b"let",
    b"var",
    b"function",
    b"async",
    b"class",
    b"interface",
    b"type",
    b"enum",
    b"declare",
    b"abstract",
    b"namespace",
];

/// Where a file that can hold no env read may be cut: the start of the first line after the
/// line of its last import or suppression word ([`last_fact_word`]; from the file's start when
/// it has none) that begins at column 0 with a [`CUT_KEYWORDS`] word. `None` for a file that
/// may read env (its read kinds look at code anywhere in the file: a local tested later, a
/// schema, a same-name flag) or has no such line.
pub(super) fn prefix_cut(src: &[u8], opts: &ScanOptions) -> Option<usize> {
    if has_word(src, b"env")
        || opts
            .env_accessors
            .iter()
            .any(|a| !a.is_empty() && has_word(src, a.as_bytes()))
    {
        return None;
    }
    let mut line = match last_fact_word(src) {
        Some(last) => last + memchr::memchr(b'\n', &src[last..])? + 1,
        // Only the directive prologue, which ends before any keyword line.
        None => 0,
    };
    while line < src.len() {
        if starts_statement(&src[line..]) {
            return Some(line);
        }
        line += memchr::memchr(b'\n', &src[line..])? + 1;
    }
    None
}

/// The start of the last word that can belong to an import or a suppression in a file that
/// reads no env: `import`, `require`, `jest`, `vi` as words of their own (the keyword, the
/// callee, the mock call's object), the string after a `from` (`export ... from 'x'`),
/// `reference`, `hookctl-ignore`. Each such fact's node holds one; `Array.from(x)`, `mockData`
/// or `important` after it cannot hold a fact. A fact's node that runs past the cut leaves the
/// prefix unclosed, which then does not parse cleanly.
fn last_fact_word(src: &[u8]) -> Option<usize> {
    let word = |w: &[u8]| memmem::rfind_iter(src, w).find(|&i| is_word(src, i, w.len()));
    let from = memmem::rfind_iter(src, b"from").find_map(|i| {
        let rest = &src[i + 4..];
        let at = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        matches!(rest[at], b'\'' | b'"' | b'`' | b'/').then_some(i + 4 + at)
    });
    [
        word(b"import"),
        word(b"require"),
        word(b"jest"),
        word(b"vi"),
        from,
        memmem::rfind(src, b"reference"),
        memmem::rfind(src, b"hookctl-ignore"),
    ]
    .into_iter()
    .flatten()
    .max()
}

/// Is `src[at..at + len]` a word of its own: no letter, digit, `_` or non-ASCII byte right
/// before or after (`$` is a boundary)?
fn is_word(src: &[u8], at: usize, len: usize) -> bool {
    let part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let before = at > 0 && part(src[at - 1]);
    let after = src.get(at + len).copied().is_some_and(part);
    !before && !after
}

/// Does `word` occur in `src` as a word of its own (no letter, digit, `_` or non-ASCII byte
/// right before or after; `$` is a boundary, for `'$env/static/private'`)? Every env read
/// names `env` so (`process.env`, `import.meta.env`, `Bun.env`, `Deno.env`, `$env/...`, the
/// `env` of `$env/dynamic/*`), and every accessor call its name: the property or callee is
/// that exact text. `environment` or `dotenv` alone cannot read env.
fn has_word(src: &[u8], word: &[u8]) -> bool {
    memmem::find_iter(src, word).any(|i| is_word(src, i, word.len()))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Does `line` begin with a [`CUT_KEYWORDS`] word (`type` followed by a name, `async` by
/// `function`)?
fn starts_statement(line: &[u8]) -> bool {
    let Some(word) = CUT_KEYWORDS
        .iter()
        .find(|k| line.starts_with(k) && !line.get(k.len()).copied().is_some_and(is_ident_byte))
    else {
        return false;
    };
    let rest = &line[word.len()..];
    let after_blanks = rest.trim_ascii_start();
    let blank = after_blanks.len() < rest.len() && !rest[..rest.len() - after_blanks.len()].contains(&b'\n');
    match *word {
        b"type" => {
            blank
                && after_blanks
                    .first()
                    .is_some_and(|&b| is_ident_byte(b) && !b.is_ascii_digit())
        }
        b"async" => {
            blank
                && after_blanks.starts_with(b"function")
                && !after_blanks.get(8).copied().is_some_and(is_ident_byte)
        }
        _ => true,
    }
}

/// Words that, ending the prefix, may take the next line as their continuation although the
/// prefix parses cleanly without it (`export default async` + `function f() {}`, `declare` +
/// `const x`, `let` + `x = 1`): every keyword and contextual keyword of TypeScript. A prefix
/// whose last token is one of these, or that ends in a decorator, is not cut there.
const OPEN_ENDINGS: &[&[u8]] = &[
    b"abstract",
    b"accessor",
    b"as",
    b"asserts",
    b"async",
    b"await",
    b"break",
    b"case",
    b"catch",
    b"class",
    b"const",
    b"continue",
    b"debugger",
    b"declare",
    b"default",
    b"delete",
    b"do",
    b"else",
    b"enum",
    b"export",
    b"extends",
    b"finally",
    b"for",
    b"from",
    b"function",
    b"get",
    b"global",
    b"if",
    b"implements",
    b"import",
    b"in",
    b"infer",
    b"instanceof",
    b"interface",
    b"is",
    b"keyof",
    b"let",
    b"module",
    b"namespace",
    b"new",
    b"of",
    b"out",
    b"override",
    b"package",
    b"private",
    b"protected",
    b"public",
    b"readonly",
    b"require",
    b"return",
    b"satisfies",
    b"set",
    b"static",
    b"super",
    b"switch",
    b"this",
    b"throw",
    b"try",
    b"type",
    b"typeof",
    b"unique",
    b"var",
    b"void",
    b"while",
    b"with",
    b"yield",
];

/// Does the parsed prefix end in a way the text after the cut could continue: its last token
/// (comments aside) a keyword of [`OPEN_ENDINGS`], or inside a decorator?
fn ends_open(root: Node, src: &[u8]) -> bool {
    let mut node = root;
    loop {
        if node.kind() == "decorator" {
            return true;
        }
        let last = (0..node.child_count())
            .rev()
            .filter_map(|i| node.child(i))
            .find(|c| !c.is_extra() && c.end_byte() > c.start_byte());
        match last {
            Some(child) => node = child,
            None => break,
        }
    }
    let text = src.get(node.start_byte()..node.end_byte()).unwrap_or_default();
    OPEN_ENDINGS.contains(&text)
}

/// [`extract`] without the trigger-word prefilter: every file parsed (the property test
/// checks that the prefilter drops no file this finds a fact in).
/// With `every_subtree`, the walk does not skip the subtrees that hold no trigger word either.
pub(super) fn extract_parsed(lang: Lang, src: &[u8], opts: &ScanOptions, every_subtree: bool) -> Facts {
    if src.len() >= u32::MAX as usize {
        return Facts::default();
    }
    let Some(tree) = parse(lang, src) else {
        return Facts::default();
    };
    facts_of(lang, src, &tree, opts, every_subtree)
}

/// The facts of `src` from its syntax tree.
fn facts_of<'a>(
    lang: Lang,
    src: &'a [u8],
    tree: &'a Tree,
    opts: &'a ScanOptions,
    every_subtree: bool,
) -> Facts {
    let grammar = grammar(lang);
    let mut walker = Walker {
        src,
        g: grammar,
        opts,
        pos: Positions::new(src),
        facts: Facts {
            had_errors: tree.root_node().has_error(),
            use_client: has_use_client(grammar, tree.root_node(), src),
            ..Facts::default()
        },
        write_targets: Vec::new(),
        type_children: Vec::new(),
        want_suppressions: memmem::find(src, b"hookctl-ignore").is_some(),
        sveltekit_objects: Vec::new(),
        triggers: if every_subtree {
            (0..src.len()).collect()
        } else {
            trigger_positions(src, opts)
        },
        ancestors: Vec::new(),
        analysis: read_kind::Analysis::default(),
    };
    walker.walk(tree);
    let mut facts = walker.facts;
    // A value that goes only to a dependency is optional when the file tests the same name as
    // on/off elsewhere; otherwise it is a plain read.
    let flags: Vec<&str> = facts
        .env_reads
        .iter()
        .filter(|r| r.kind == ReadKind::Flag)
        .filter_map(|r| r.name.as_deref())
        .collect();
    let demote: Vec<usize> = (facts.env_reads.iter().enumerate())
        .filter(|(_, r)| {
            r.kind == ReadKind::Dependency && !r.name.as_deref().is_some_and(|n| flags.contains(&n))
        })
        .map(|(i, _)| i)
        .collect();
    for i in demote {
        facts.env_reads[i].kind = ReadKind::Plain;
    }
    if !facts.env_reads.is_empty() && read_kind::might_have_schema(src) {
        let optional = read_kind::optional_schema_keys(src, tree.root_node());
        for read in &mut facts.env_reads {
            if read.kind == ReadKind::Plain
                && read
                    .name
                    .as_ref()
                    .is_some_and(|n| optional.binary_search(&n.as_bytes().to_vec()).is_ok())
            {
                read.kind = ReadKind::SchemaOptional;
            }
        }
    }
    facts.imports.sort_by_key(|i| i.span.start);
    facts.env_reads.sort_by_key(|r| r.span.start);
    facts.suppressions.sort_by_key(|s| s.line);
    facts
}

/// Does the directive prologue (the leading string-literal statements, comments between them)
/// hold `"use client"`? Directives compare the raw text, so an escaped spelling is not one.
fn has_use_client(g: &Grammar, root: Node, src: &[u8]) -> bool {
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        let kind = node.kind_id();
        if kind == g.k.comment || kind == g.k.hash_bang_line {
            continue;
        }
        if kind != g.k.expression_statement {
            return false;
        }
        let Some(expr) = node.named_child(0) else {
            return false;
        };
        if expr.kind_id() != g.k.string || node.named_child_count() != 1 {
            return false;
        }
        let raw = src.get(expr.start_byte()..expr.end_byte()).unwrap_or_default();
        if raw.len() >= 2 && &raw[1..raw.len() - 1] == b"use client" {
            return true;
        }
    }
    false
}

/// Sorted start offsets of every trigger word (and accessor name) in the file. A subtree whose
/// byte range holds none cannot hold a fact: the walk skips it.
fn trigger_positions(src: &[u8], opts: &ScanOptions) -> Vec<usize> {
    let mut v: Vec<usize> = TRIGGERS.iter().flat_map(|t| memmem::find_iter(src, t)).collect();
    for a in opts.env_accessors.iter().filter(|a| !a.is_empty()) {
        v.extend(memmem::find_iter(src, a.as_bytes()));
    }
    v.sort_unstable();
    v
}

pub(super) fn worth_parsing(src: &[u8], opts: &ScanOptions) -> bool {
    TRIGGERS.iter().any(|t| memmem::find(src, t).is_some())
        || opts
            .env_accessors
            .iter()
            .any(|a| !a.is_empty() && memmem::find(src, a.as_bytes()).is_some())
}

thread_local! {
    /// One parser per grammar per thread: creating one is cheap, but reusing keeps its buffers.
    static PARSERS: RefCell<[Option<Parser>; 2]> = const { RefCell::new([None, None]) };
}

fn parse(lang: Lang, src: &[u8]) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.try_borrow_mut().ok()?;
        let slot = &mut parsers[lang_index(lang)];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&grammar(lang).language).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(src, None)
    })
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::TypeScript => 0,
        Lang::Tsx => 1,
    }
}

/// What the walker does on meeting a node of a given kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Nothing,
    ImportStatement,
    ExportStatement,
    Call,
    /// `binary_expression`: maybe a generic call the grammar misread.
    Binary,
    Member,
    Subscript,
    VariableDeclarator,
    Assignment,
    AugmentedAssignment,
    Update,
    Unary,
    /// `required_parameter`, `optional_parameter` (`pattern` = `value`)
    Parameter,
    /// `assignment_pattern` (`left` = `right`)
    AssignmentPattern,
    Comment,
    /// `as_expression`, `satisfies_expression`: the part after the keyword is a type.
    AsLike,
    /// Everything below is a type, erased at run time.
    TypeRoot,
}

/// Kind ids of one grammar (0 when the grammar lacks the kind, which never matches a node).
struct Kinds {
    identifier: u16,
    property_identifier: u16,
    string: u16,
    template_string: u16,
    template_substitution: u16,
    import: u16,
    meta_property: u16,
    member_expression: u16,
    subscript_expression: u16,
    parenthesized_expression: u16,
    non_null_expression: u16,
    as_expression: u16,
    satisfies_expression: u16,
    arguments: u16,
    binary_expression: u16,
    await_expression: u16,
    sequence_expression: u16,
    less_than: u16,
    greater_than: u16,
    object_pattern: u16,
    shorthand_property_identifier_pattern: u16,
    object_assignment_pattern: u16,
    pair_pattern: u16,
    computed_property_name: u16,
    number: u16,
    import_clause: u16,
    import_require_clause: u16,
    named_imports: u16,
    import_specifier: u16,
    export_clause: u16,
    export_specifier: u16,
    comment: u16,
    hash_bang_line: u16,
    expression_statement: u16,
    type_keyword: u16,
    typeof_keyword: u16,
    delete_keyword: u16,
}

/// Field ids of one grammar (0 when absent).
struct Fields {
    source: u16,
    function: u16,
    arguments: u16,
    object: u16,
    property: u16,
    index: u16,
    name: u16,
    value: u16,
    left: u16,
    right: u16,
    argument: u16,
    operator: u16,
    pattern: u16,
    key: u16,
    alias: u16,
}

struct Grammar {
    language: Language,
    roles: Vec<Role>,
    k: Kinds,
    f: Fields,
}

fn grammar(lang: Lang) -> &'static Grammar {
    static TS: OnceLock<Grammar> = OnceLock::new();
    static TSX: OnceLock<Grammar> = OnceLock::new();
    match lang {
        Lang::TypeScript => {
            TS.get_or_init(|| Grammar::new(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()))
        }
        Lang::Tsx => TSX.get_or_init(|| Grammar::new(tree_sitter_typescript::LANGUAGE_TSX.into())),
    }
}

impl Grammar {
    fn new(language: Language) -> Grammar {
        Grammar {
            roles: roles(&language),
            k: Kinds::new(&language),
            f: Fields::new(&language),
            language,
        }
    }

    fn role(&self, node: Node) -> Role {
        self.roles
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(Role::Nothing)
    }
}

/// The role of each node kind the walker treats apart (`Role::Nothing` for the rest).
fn roles(language: &Language) -> Vec<Role> {
    let named = |kind: &str| language.id_for_node_kind(kind, true);
    let mut roles = vec![Role::Nothing; language.node_kind_count() + 1];
    let table: &[(&str, Role)] = &[
        ("import_statement", Role::ImportStatement),
        ("export_statement", Role::ExportStatement),
        ("call_expression", Role::Call),
        ("binary_expression", Role::Binary),
        ("member_expression", Role::Member),
        ("subscript_expression", Role::Subscript),
        ("variable_declarator", Role::VariableDeclarator),
        ("assignment_expression", Role::Assignment),
        ("augmented_assignment_expression", Role::AugmentedAssignment),
        ("update_expression", Role::Update),
        ("unary_expression", Role::Unary),
        ("required_parameter", Role::Parameter),
        ("optional_parameter", Role::Parameter),
        ("assignment_pattern", Role::AssignmentPattern),
        ("comment", Role::Comment),
        ("html_comment", Role::Comment),
        ("as_expression", Role::AsLike),
        ("satisfies_expression", Role::AsLike),
        ("type_annotation", Role::TypeRoot),
        ("opting_type_annotation", Role::TypeRoot),
        ("omitting_type_annotation", Role::TypeRoot),
        ("adding_type_annotation", Role::TypeRoot),
        ("asserts_annotation", Role::TypeRoot),
        ("type_predicate_annotation", Role::TypeRoot),
        ("type_query", Role::TypeRoot),
        ("type_arguments", Role::TypeRoot),
        ("type_parameters", Role::TypeRoot),
        ("type_alias_declaration", Role::TypeRoot),
        ("interface_declaration", Role::TypeRoot),
        ("implements_clause", Role::TypeRoot),
    ];
    for (kind, role) in table {
        let id = named(kind) as usize;
        if id != 0 && id < roles.len() {
            roles[id] = *role;
        }
    }
    roles
}

impl Kinds {
    fn new(language: &Language) -> Kinds {
        let named = |kind: &str| language.id_for_node_kind(kind, true);
        let keyword = |kind: &str| language.id_for_node_kind(kind, false);
        Kinds {
            identifier: named("identifier"),
            property_identifier: named("property_identifier"),
            string: named("string"),
            template_string: named("template_string"),
            template_substitution: named("template_substitution"),
            import: named("import"),
            meta_property: named("meta_property"),
            member_expression: named("member_expression"),
            subscript_expression: named("subscript_expression"),
            parenthesized_expression: named("parenthesized_expression"),
            non_null_expression: named("non_null_expression"),
            as_expression: named("as_expression"),
            satisfies_expression: named("satisfies_expression"),
            arguments: named("arguments"),
            binary_expression: named("binary_expression"),
            await_expression: named("await_expression"),
            sequence_expression: named("sequence_expression"),
            less_than: keyword("<"),
            greater_than: keyword(">"),
            object_pattern: named("object_pattern"),
            shorthand_property_identifier_pattern: named("shorthand_property_identifier_pattern"),
            object_assignment_pattern: named("object_assignment_pattern"),
            pair_pattern: named("pair_pattern"),
            computed_property_name: named("computed_property_name"),
            number: named("number"),
            import_clause: named("import_clause"),
            import_require_clause: named("import_require_clause"),
            named_imports: named("named_imports"),
            import_specifier: named("import_specifier"),
            export_clause: named("export_clause"),
            export_specifier: named("export_specifier"),
            comment: named("comment"),
            hash_bang_line: named("hash_bang_line"),
            expression_statement: named("expression_statement"),
            type_keyword: keyword("type"),
            typeof_keyword: keyword("typeof"),
            delete_keyword: keyword("delete"),
        }
    }
}

impl Fields {
    fn new(language: &Language) -> Fields {
        let field = |name: &str| language.field_id_for_name(name).map_or(0, std::num::NonZero::get);
        Fields {
            source: field("source"),
            function: field("function"),
            arguments: field("arguments"),
            object: field("object"),
            property: field("property"),
            index: field("index"),
            name: field("name"),
            value: field("value"),
            left: field("left"),
            right: field("right"),
            argument: field("argument"),
            operator: field("operator"),
            pattern: field("pattern"),
            key: field("key"),
            alias: field("alias"),
        }
    }
}

struct Walker<'a> {
    src: &'a [u8],
    g: &'static Grammar,
    opts: &'a ScanOptions,
    pos: Positions<'a>,
    facts: Facts,
    /// Ids of `process.env.X`-like nodes being written (`=`, `+=`, `++`, `delete`), met as
    /// children after their parent: they are not reads.
    write_targets: Vec<usize>,
    /// Ids of type operands met as children after their parent: `x as T`, `x satisfies T`, and
    /// the type arguments of a misparsed generic call.
    type_children: Vec<usize>,
    want_suppressions: bool,
    /// Local names of `SvelteKit`'s dynamic `env` objects (`import { env } from '$env/dynamic/private'`).
    sveltekit_objects: Vec<(Vec<u8>, EnvSource)>,
    /// See [`trigger_positions`].
    triggers: Vec<usize>,
    /// The ancestors of the node being visited, root first: what an env read's kind is
    /// decided from ([`read_kind`]).
    ancestors: Vec<Node<'a>>,
    /// What the read-kind analysis shares across the file's reads.
    analysis: read_kind::Analysis<'a>,
}

impl<'a> Walker<'a> {
    /// Does the byte range `[start, end)` hold the start of a trigger word?
    fn has_trigger(&self, start: usize, end: usize) -> bool {
        let i = self.triggers.partition_point(|&p| p < start);
        self.triggers.get(i).is_some_and(|&p| p < end)
    }

    fn walk(&mut self, tree: &'a Tree) {
        let mut cursor = tree.walk();
        let mut depth: usize = 0;
        // Depth of the outermost type node we are inside, or MAX.
        let mut type_from = usize::MAX;
        // A top-level statement has been seen: `/// <reference>` after it is a plain comment.
        let mut seen_statement = false;
        loop {
            let node = cursor.node();
            let interesting = self.has_trigger(node.start_byte(), node.end_byte());
            if interesting && type_from == usize::MAX && self.is_type_root(node) {
                type_from = depth;
            }
            if depth == 1 {
                let kind = node.kind_id();
                if kind == self.g.k.comment {
                    if !seen_statement {
                        self.reference(node);
                    }
                } else if node.is_named() && kind != self.g.k.hash_bang_line {
                    seen_statement = true;
                }
            }
            if interesting {
                self.visit(node, depth >= type_from);
                if cursor.goto_first_child() {
                    depth += 1;
                    self.ancestors.push(node);
                    continue;
                }
            }
            loop {
                // No trigger word left in the parent past this node: its later siblings, which
                // would only be stepped over, are skipped (the top level is stepped until its
                // first statement, for `/// <reference>` comments). `type_from` needs no reset
                // here: the next sibling reached higher up resets it for every deeper level.
                let rest_empty = (depth >= 2 || seen_statement)
                    && self
                        .ancestors
                        .last()
                        .is_some_and(|parent| !self.has_trigger(cursor.node().end_byte(), parent.end_byte()));
                if !rest_empty && cursor.goto_next_sibling() {
                    if type_from >= depth {
                        type_from = usize::MAX;
                    }
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                depth -= 1;
                self.ancestors.pop();
            }
        }
    }

    fn is_type_root(&mut self, node: Node) -> bool {
        if self.g.role(node) == Role::TypeRoot {
            return true;
        }
        if let Some(i) = self.type_children.iter().position(|id| *id == node.id()) {
            self.type_children.swap_remove(i);
            return true;
        }
        false
    }

    fn visit(&mut self, node: Node<'a>, in_type: bool) {
        match self.g.role(node) {
            Role::Nothing | Role::TypeRoot => {}
            Role::Comment => self.comment(node),
            Role::ImportStatement => self.import_statement(node),
            Role::ExportStatement => self.export_statement(node),
            Role::Call => self.call(node, in_type),
            Role::Binary => self.misparsed_generic_call(node, in_type),
            Role::Member if !in_type => self.member(node),
            Role::Subscript if !in_type => self.subscript(node),
            Role::VariableDeclarator => self.destructure(node, self.g.f.name, self.g.f.value),
            Role::Parameter => self.destructure(node, self.g.f.pattern, self.g.f.value),
            Role::AssignmentPattern => self.destructure(node, self.g.f.left, self.g.f.right),
            Role::Assignment => {
                self.destructure(node, self.g.f.left, self.g.f.right);
                self.mark_write(self.field(node, self.g.f.left));
            }
            Role::AugmentedAssignment => self.mark_write(self.field(node, self.g.f.left)),
            Role::Update => self.mark_write(self.field(node, self.g.f.argument)),
            Role::Unary => {
                let op = self.field(node, self.g.f.operator);
                if op.is_some_and(|op| op.kind_id() == self.g.k.delete_keyword) {
                    self.mark_write(self.field(node, self.g.f.argument));
                }
            }
            Role::AsLike if !in_type => {
                let mut cursor = node.walk();
                let last = node
                    .named_children(&mut cursor)
                    .filter(|c| !self.is_comment(*c))
                    .last();
                if let Some(ty) = last.filter(|ty| node.named_child(0).is_some_and(|e| e.id() != ty.id())) {
                    self.type_children.push(ty.id());
                }
            }
            Role::Member | Role::Subscript | Role::AsLike => {}
        }
    }

    // ---- imports ----

    fn import_statement(&mut self, node: Node<'a>) {
        let k = &self.g.k;
        let mut type_keyword = false;
        let mut clause = None;
        let mut require_clause = None;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            let kind = child.kind_id();
            if !child.is_named() && (kind == k.type_keyword || kind == k.typeof_keyword) {
                type_keyword = true;
            } else if kind == k.import_clause {
                clause = Some(child);
            } else if kind == k.import_require_clause {
                require_clause = Some(child);
            }
        }
        if let Some(req) = require_clause {
            self.import(
                self.field(req, self.g.f.source),
                ImportKind::ImportEquals,
                type_keyword,
            );
        } else if let Some(clause) = clause {
            let type_only = type_keyword || self.all_specifiers_typed(clause);
            self.import(self.field(node, self.g.f.source), ImportKind::Static, type_only);
            if !type_only {
                self.sveltekit_env(node, clause);
            }
        } else {
            self.import(self.field(node, self.g.f.source), ImportKind::SideEffect, false);
        }
    }

    /// `SvelteKit`'s env modules: `import { API_KEY } from '$env/static/private'` reads `API_KEY`;
    /// `import { env } from '$env/dynamic/private'` makes `env.X` a read of `X`.
    fn sveltekit_env(&mut self, node: Node<'a>, clause: Node<'a>) {
        let Some(spec) = self
            .field(node, self.g.f.source)
            .and_then(|s| self.literal_string(s))
        else {
            return;
        };
        let (dynamic, source) = match spec.as_str() {
            "$env/static/private" => (false, EnvSource::SvelteKitPrivate),
            "$env/static/public" => (false, EnvSource::SvelteKitPublic),
            "$env/dynamic/private" => (true, EnvSource::SvelteKitPrivate),
            "$env/dynamic/public" => (true, EnvSource::SvelteKitPublic),
            _ => return,
        };
        let k = &self.g.k;
        let mut cursor = clause.walk();
        let lists: Vec<Node<'a>> = clause
            .named_children(&mut cursor)
            .filter(|c| c.kind_id() == k.named_imports)
            .collect();
        for list in lists {
            let mut cursor = list.walk();
            let specs: Vec<Node<'a>> = list
                .named_children(&mut cursor)
                .filter(|c| c.kind_id() == k.import_specifier)
                .collect();
            for spec in specs {
                let Some(name) = self.field(spec, self.g.f.name) else {
                    continue;
                };
                let imported = self
                    .literal_string(name)
                    .unwrap_or_else(|| self.text_string(name));
                if dynamic {
                    if imported == "env" {
                        let local = self.field(spec, self.g.f.alias).unwrap_or(name);
                        self.sveltekit_objects.push((self.text(local).to_vec(), source));
                    }
                } else {
                    self.env_read(Some(imported), source, name, ReadKind::Plain);
                }
            }
        }
    }

    /// `import { type A, type B } from`: every named specifier is type-qualified, and there is
    /// no default or namespace import.
    fn all_specifiers_typed(&self, clause: Node) -> bool {
        let mut cursor = clause.walk();
        let mut named = None;
        for child in clause.named_children(&mut cursor) {
            if child.kind_id() == self.g.k.named_imports && named.is_none() {
                named = Some(child);
            } else if !self.is_comment(child) {
                return false; // default or namespace import
            }
        }
        named.is_some_and(|list| self.all_typed(list, self.g.k.import_specifier))
    }

    /// Every `specifier` child of `list` starts with `type`/`typeof`, and there is at least one.
    fn all_typed(&self, list: Node, specifier: u16) -> bool {
        let mut cursor = list.walk();
        let mut count = 0;
        for spec in list.named_children(&mut cursor) {
            if spec.kind_id() != specifier {
                continue;
            }
            count += 1;
            let first = spec.child(0);
            let typed = first.is_some_and(|t| {
                !t.is_named()
                    && (t.kind_id() == self.g.k.type_keyword || t.kind_id() == self.g.k.typeof_keyword)
            });
            if !typed {
                return false;
            }
        }
        count > 0
    }

    fn export_statement(&mut self, node: Node<'a>) {
        let Some(source) = self.field(node, self.g.f.source) else {
            return;
        };
        let k = &self.g.k;
        let mut type_only = false;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            let kind = child.kind_id();
            if !child.is_named() && kind == k.type_keyword {
                type_only = true;
            } else if child.is_error() && self.text(child) == b"type" {
                // `export type * from 'x'` is newer than the grammar: it parses `type` as an error.
                type_only = true;
            } else if kind == k.export_clause && self.all_typed(child, k.export_specifier) {
                type_only = true;
            }
        }
        self.import(Some(source), ImportKind::ExportFrom, type_only);
    }

    fn import(&mut self, literal: Option<Node>, kind: ImportKind, type_only: bool) {
        self.import_guarded(literal, kind, type_only, false);
    }

    /// A call's import: `guarded` when the call sits in a `try` block.
    fn call_import(&mut self, call: Node<'a>, literal: Option<Node>, kind: ImportKind, type_only: bool) {
        let guarded = in_try_block(call);
        self.import_guarded(literal, kind, type_only, guarded);
    }

    fn import_guarded(&mut self, literal: Option<Node>, kind: ImportKind, type_only: bool, guarded: bool) {
        let Some(literal) = literal else { return };
        let Some(specifier) = self.literal_string(literal) else {
            return;
        };
        let span = self.pos.span(literal.start_byte(), literal.end_byte());
        self.facts.imports.push(Import {
            specifier,
            kind,
            type_only,
            guarded,
            span,
        });
    }

    fn call(&mut self, node: Node<'a>, in_type: bool) {
        let (f, k) = (&self.g.f, &self.g.k);
        let Some(function) = self.field(node, f.function) else {
            return;
        };
        let Some(args) = self
            .field(node, f.arguments)
            .filter(|a| a.kind_id() == k.arguments)
        else {
            return; // a tagged template
        };
        let (first, count, last) = self.args(args);
        self.callee(node, function, first, count, last, in_type);
    }

    /// `f<typeof import('./m')>('./m')`: the grammar cannot parse `typeof import` in type
    /// arguments and reads `(f < typeof import('./m')) > ('./m')` instead. Seen as the call it is
    /// (vitest's `vi.importActual<typeof import('./m')>('./m')` idiom), type arguments included.
    fn misparsed_generic_call(&mut self, node: Node<'a>, in_type: bool) {
        let (f, k) = (&self.g.f, &self.g.k);
        let is_op = |n: Node, op: u16| self.field(n, f.operator).is_some_and(|o| o.kind_id() == op);
        if in_type || !is_op(node, k.greater_than) {
            return;
        }
        let Some(args) = self
            .field(node, f.right)
            .filter(|r| r.kind_id() == k.parenthesized_expression)
        else {
            return;
        };
        let Some(left) = self
            .field(node, f.left)
            .filter(|l| l.kind_id() == k.binary_expression)
        else {
            return;
        };
        if !is_op(left, k.less_than) {
            return;
        }
        let (Some(mut function), Some(type_args)) = (self.field(left, f.left), self.field(left, f.right))
        else {
            return;
        };
        if function.kind_id() == k.await_expression {
            match function.named_child(0) {
                Some(inner) => function = inner,
                None => return,
            }
        }
        let (first, count) = match args.named_child(0) {
            Some(seq) if seq.kind_id() == k.sequence_expression => (seq.named_child(0), 2),
            Some(arg) => (Some(arg), 1),
            None => (None, 0),
        };
        if self.callee(node, function, first, count, None, false) {
            self.type_children.push(type_args.id());
        }
    }

    /// Records what a call to `function` with first argument `first` (of `count`, the last one
    /// `last`) means. Returns whether the callee is one hookctl knows.
    fn callee(
        &mut self,
        call: Node<'a>,
        function: Node<'a>,
        first: Option<Node<'a>>,
        count: usize,
        last: Option<Node<'a>>,
        in_type: bool,
    ) -> bool {
        let (f, k) = (&self.g.f, &self.g.k);
        let kind = function.kind_id();
        if kind == k.import {
            self.call_import(call, first, ImportKind::Dynamic, in_type);
        } else if kind == k.identifier {
            let name = self.text(function);
            if name == b"require" {
                if count == 1 {
                    self.call_import(call, first, ImportKind::Require, false);
                }
            } else if self.is_accessor(name) {
                self.accessor_read(call, first, EnvSource::Accessor, false);
            } else {
                return false;
            }
        } else if kind == k.member_expression {
            let (Some(object), Some(property)) =
                (self.field(function, f.object), self.field(function, f.property))
            else {
                return false;
            };
            let method = self.text(property);
            let object_name = (object.kind_id() == k.identifier).then(|| self.text(object));
            if object_name == Some(b"require") && method == b"resolve" {
                // `require.resolve(x, {paths})` resolves from other folders: not checkable here.
                if count == 1 {
                    self.call_import(call, first, ImportKind::Require, false);
                }
            } else if matches!(object_name, Some(b"jest" | b"vi")) && MOCK_METHODS.contains(&method) {
                // `jest.mock(x, factory, {virtual: true})` mocks a module that need not exist.
                if !(count >= 3 && last.is_some_and(|l| self.is_virtual_option(l))) {
                    self.import(first, ImportKind::Mock, false);
                }
            } else if method == b"get" && self.is_member_named(object, b"Deno", b"env") {
                self.accessor_read(call, first, EnvSource::DenoEnv, true);
            } else if self.is_accessor(method) {
                self.accessor_read(call, first, EnvSource::Accessor, false);
            } else {
                return false;
            }
        } else {
            return false;
        }
        true
    }

    fn is_accessor(&self, name: &[u8]) -> bool {
        self.opts.env_accessors.iter().any(|a| a.as_bytes() == name)
    }

    /// `env('X')`: a read of the first argument. A non-literal argument is a dynamic read only
    /// when `dynamic` (for accessors, whose names are too generic to trust with anything else).
    fn accessor_read(&mut self, call: Node<'a>, arg: Option<Node>, source: EnvSource, dynamic: bool) {
        let Some(arg) = arg else { return };
        match self.literal_string(arg) {
            Some(name) => {
                let kind = self.kind_of(call, &name);
                self.env_read(Some(name), source, arg, kind);
            }
            None if dynamic => self.env_read(None, source, arg, ReadKind::Plain),
            None => {}
        }
    }

    /// How certain the read `expr` of `name` (the node being visited) is to break when unset.
    fn kind_of(&mut self, expr: Node<'a>, name: &str) -> ReadKind {
        read_kind::of_expression(
            &mut self.analysis,
            self.src,
            &self.ancestors,
            expr,
            name.as_bytes(),
        )
    }

    /// The first argument, the number of arguments, and the last one.
    fn args(&self, args: Node<'a>) -> (Option<Node<'a>>, usize, Option<Node<'a>>) {
        let mut cursor = args.walk();
        let mut first = None;
        let mut last = None;
        let mut count = 0;
        for arg in args.named_children(&mut cursor).filter(|c| !self.is_comment(*c)) {
            first = first.or(Some(arg));
            last = Some(arg);
            count += 1;
        }
        (first, count, last)
    }

    /// `{virtual: true}`: jest's option for a mock of a module that does not exist (the factory
    /// is the module), so the specifier names no file.
    fn is_virtual_option(&self, node: Node) -> bool {
        if node.kind() != "object" {
            return false;
        }
        let mut cursor = node.walk();
        node.named_children(&mut cursor).any(|pair| {
            pair.kind() == "pair"
                && pair
                    .child_by_field_name("key")
                    .is_some_and(|k| matches!(self.text(k), b"virtual" | b"'virtual'" | b"\"virtual\""))
                && pair
                    .child_by_field_name("value")
                    .is_some_and(|v| v.kind() == "true")
        })
    }

    // ---- env reads ----

    fn member(&mut self, node: Node<'a>) {
        let Some(source) = self.field(node, self.g.f.object).and_then(|o| self.env_object(o)) else {
            return;
        };
        if self.take_write_target(node) {
            return;
        }
        if let Some(property) = self.field(node, self.g.f.property)
            && property.kind_id() == self.g.k.property_identifier
        {
            let name = String::from_utf8_lossy(self.text(property)).into_owned();
            let kind = self.kind_of(node, &name);
            self.env_read(Some(name), source, property, kind);
        }
    }

    fn subscript(&mut self, node: Node<'a>) {
        let Some(source) = self.field(node, self.g.f.object).and_then(|o| self.env_object(o)) else {
            return;
        };
        if self.take_write_target(node) {
            return;
        }
        if let Some(index) = self.field(node, self.g.f.index) {
            let name = self.literal_string(index);
            let kind = name.as_ref().map_or(ReadKind::Plain, |n| self.kind_of(node, n));
            self.env_read(name, source, index, kind);
        }
    }

    /// `const { X, Y: y } = process.env` and its parameter / assignment forms: the pattern is
    /// the `pattern_field` child, the env object the `value_field` child.
    fn destructure(&mut self, node: Node<'a>, pattern_field: u16, value_field: u16) {
        let Some(pattern) = self
            .field(node, pattern_field)
            .filter(|p| p.kind_id() == self.g.k.object_pattern)
        else {
            return;
        };
        let Some(source) = self.field(node, value_field).and_then(|v| self.env_object(v)) else {
            return;
        };
        let k = &self.g.k;
        // The declarator (or parameter, pattern, assignment) and its ancestors.
        let mut anc = self.ancestors.clone();
        anc.push(node);
        let src = self.src;
        let mut analysis = std::mem::take(&mut self.analysis);
        let mut kind = |name: &str, with_default: bool, local: &[u8]| {
            read_kind::of_destructured(&mut analysis, src, &anc, with_default, local, name.as_bytes())
        };
        let mut reads = Vec::new();
        let mut cursor = pattern.walk();
        for prop in pattern.named_children(&mut cursor) {
            let pk = prop.kind_id();
            if pk == k.shorthand_property_identifier_pattern {
                let name = self.text_string(prop);
                let kind = kind(&name, false, self.text(prop));
                reads.push((Some(name), prop, kind));
            } else if pk == k.object_assignment_pattern {
                if let Some(left) = self.field(prop, self.g.f.left)
                    && left.kind_id() == k.shorthand_property_identifier_pattern
                {
                    let name = self.text_string(left);
                    let kind = kind(&name, true, self.text(left));
                    reads.push((Some(name), left, kind));
                }
            } else if pk == k.pair_pattern {
                let Some(key) = self.field(prop, self.g.f.key) else {
                    continue;
                };
                // `X: y` binds `y`; `X: y = 'd'` has a default.
                let value = self.field(prop, self.g.f.value);
                let with_default = value.is_some_and(|v| v.kind() == "assignment_pattern");
                let local = value
                    .filter(|v| v.kind_id() == k.identifier)
                    .map_or(&b""[..], |v| self.text(v));
                let key_kind = key.kind_id();
                let (name, at) = if key_kind == k.property_identifier || key_kind == k.number {
                    (Some(self.text_string(key)), key)
                } else if key_kind == k.computed_property_name {
                    let inner = key.named_child(0).unwrap_or(key);
                    (self.literal_string(inner), inner)
                } else if let Some(name) = self.literal_string(key) {
                    (Some(name), key)
                } else {
                    continue;
                };
                let kind = match &name {
                    Some(n) if with_default || !local.is_empty() => kind(n, with_default, local),
                    _ => ReadKind::Plain,
                };
                reads.push((name, at, kind));
            }
            // `...rest` and anything else: not a read of a named variable.
        }
        self.analysis = analysis;
        for (name, at, kind) in reads {
            self.env_read(name, source, at, kind);
        }
    }

    /// The env object an expression denotes, if any: `process.env`, `globalThis.process.env`,
    /// `import.meta.env`, `Bun.env` (through parentheses, `!`, `as`, `satisfies`).
    fn env_object(&self, node: Node) -> Option<EnvSource> {
        let (f, k) = (&self.g.f, &self.g.k);
        let node = self.unwrap(node);
        if node.kind_id() == k.identifier
            && let Some((_, source)) = self.sveltekit_objects.iter().find(|(n, _)| n == self.text(node))
        {
            return Some(*source);
        }
        if node.kind_id() != k.member_expression {
            return None;
        }
        let property = self.field(node, f.property)?;
        if self.text(property) != b"env" {
            return None;
        }
        let object = self.unwrap(self.field(node, f.object)?);
        let kind = object.kind_id();
        if kind == k.identifier {
            match self.text(object) {
                b"process" => Some(EnvSource::ProcessEnv),
                b"Bun" => Some(EnvSource::BunEnv),
                _ => None,
            }
        } else if kind == k.meta_property {
            self.text(object)
                .starts_with(b"import")
                .then_some(EnvSource::ImportMetaEnv)
        } else if self.is_member_named(object, b"globalThis", b"process")
            || self.is_member_named(object, b"global", b"process")
        {
            Some(EnvSource::ProcessEnv)
        } else {
            None
        }
    }

    /// `object.property` with both plain names.
    fn is_member_named(&self, node: Node, object: &[u8], property: &[u8]) -> bool {
        let node = self.unwrap(node);
        if node.kind_id() != self.g.k.member_expression {
            return false;
        }
        let o = self.field(node, self.g.f.object).map(|o| self.unwrap(o));
        let p = self.field(node, self.g.f.property);
        o.is_some_and(|o| o.kind_id() == self.g.k.identifier && self.text(o) == object)
            && p.is_some_and(|p| self.text(p) == property)
    }

    /// Looks through `( )`, `!`, `as T` and `satisfies T`.
    fn unwrap<'t>(&self, mut node: Node<'t>) -> Node<'t> {
        let k = &self.g.k;
        for _ in 0..16 {
            let kind = node.kind_id();
            if kind != k.parenthesized_expression
                && kind != k.non_null_expression
                && kind != k.as_expression
                && kind != k.satisfies_expression
            {
                break;
            }
            match node.named_child(0) {
                Some(inner) => node = inner,
                None => break,
            }
        }
        node
    }

    /// Remembers an assignment target that reads an env object, so that visiting it later does
    /// not count it as a read.
    fn mark_write(&mut self, target: Option<Node>) {
        let Some(target) = target.map(|t| self.unwrap(t)) else {
            return;
        };
        let kind = target.kind_id();
        if (kind == self.g.k.member_expression || kind == self.g.k.subscript_expression)
            && self
                .field(target, self.g.f.object)
                .and_then(|o| self.env_object(o))
                .is_some()
        {
            self.write_targets.push(target.id());
        }
    }

    fn take_write_target(&mut self, node: Node) -> bool {
        match self.write_targets.iter().position(|id| *id == node.id()) {
            Some(i) => {
                self.write_targets.swap_remove(i);
                true
            }
            None => false,
        }
    }

    fn env_read(&mut self, name: Option<String>, source: EnvSource, at: Node, kind: ReadKind) {
        let span = self.pos.span(at.start_byte(), at.end_byte());
        self.facts.env_reads.push(EnvRead {
            name,
            source,
            kind,
            span,
        });
    }

    // ---- comments ----

    fn comment(&mut self, node: Node) {
        if !self.want_suppressions {
            return;
        }
        if let Some(rules) = comments::suppression(self.text(node)) {
            let last_byte = node.end_byte().saturating_sub(1).max(node.start_byte());
            let (line, _) = self.pos.line_col(last_byte);
            self.facts.suppressions.push(Suppression { line, rules });
        }
    }

    /// `/// <reference path="x" />` (only called for comments before the first statement).
    fn reference(&mut self, node: Node) {
        let text = self.text(node);
        let Some((start, end)) = comments::reference_path(text) else {
            return;
        };
        let specifier = String::from_utf8_lossy(&text[start + 1..end - 1]).into_owned();
        let base = node.start_byte();
        let span = self.pos.span(base + start, base + end);
        self.facts.imports.push(Import {
            specifier,
            kind: ImportKind::Reference,
            type_only: false,
            guarded: false,
            span,
        });
    }

    // ---- helpers ----

    /// The value of a string literal, or of a template literal without substitutions.
    fn literal_string(&self, node: Node) -> Option<String> {
        let k = &self.g.k;
        let kind = node.kind_id();
        let raw = self.text(node);
        if raw.len() < 2 || node.has_error() {
            return None;
        }
        let quote = raw[0];
        let ok = if kind == k.string {
            matches!(quote, b'"' | b'\'') && raw[raw.len() - 1] == quote
        } else if kind == k.template_string {
            let mut cursor = node.walk();
            let substitution = node
                .named_children(&mut cursor)
                .any(|c| c.kind_id() == k.template_substitution);
            quote == b'`' && raw[raw.len() - 1] == b'`' && !substitution
        } else {
            false
        };
        ok.then(|| strings::decode(&raw[1..raw.len() - 1]))
    }

    fn field<'t>(&self, node: Node<'t>, id: u16) -> Option<Node<'t>> {
        if id == 0 { None } else { node.child_by_field_id(id) }
    }

    fn is_comment(&self, node: Node) -> bool {
        self.g.role(node) == Role::Comment
    }

    fn text(&self, node: Node) -> &'a [u8] {
        self.src
            .get(node.start_byte()..node.end_byte())
            .unwrap_or_default()
    }

    fn text_string(&self, node: Node) -> String {
        String::from_utf8_lossy(self.text(node)).into_owned()
    }
}

/// Whether `call` runs inside a `try` block's body (not its `catch` or `finally`, and not in a
/// function declared there, which may run anywhere): a failure to load is caught.
fn in_try_block(call: Node) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "try_statement"
                if parent
                    .child_by_field_name("body")
                    .is_some_and(|b| b.id() == node.id()) =>
            {
                return true;
            }
            "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function"
            | "generator_function_declaration"
            | "class_body"
            | "program" => return false,
            _ => {}
        }
        node = parent;
    }
    false
}
