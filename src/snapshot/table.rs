//! A snapshot's paths and their entries: one sorted table, its paths in one buffer.
//!
//! An index snapshot keeps the index's own path buffer (gitoxide's path backing, taken as it
//! was decoded: no copy, no allocation per path) and one row per entry; lookups are binary
//! searches, a folder's paths a contiguous range. Paths are ordered by their bytes, as git
//! orders the index and as `str` compares, so a table answers exactly as a `BTreeMap<String,
//! Entry>` built from the same entries would (the unit tests check it).

use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Entry;

/// One path: where it lies in the buffer, and its entry.
#[derive(Debug, Clone, Copy)]
struct Row {
    start: u32,
    len: u32,
    entry: Entry,
}

/// Every path of a snapshot, sorted by bytes, each once.
#[derive(Debug, Default)]
pub struct Table {
    text: String,
    rows: Vec<Row>,
    /// Row numbers by path hash, built once the table has answered [`Table::lookups_before_index`]
    /// path lookups by binary search: a hook asks a few dozen paths, a full check's resolver
    /// asks every candidate of every import (the binary searches were 1.7% of a cold check).
    index: OnceLock<hashbrown::HashTable<u32>>,
    lookups: AtomicUsize,
}

impl Table {
    /// A table of a map's entries.
    pub fn from_map(map: &std::collections::BTreeMap<String, Entry>) -> Table {
        let mut table = Table {
            text: String::with_capacity(map.keys().map(String::len).sum()),
            rows: Vec::with_capacity(map.len()),
            ..Table::default()
        };
        for (path, entry) in map {
            table.push(path, *entry);
        }
        table
    }

    /// A table over `text` (a buffer holding every path, possibly with bytes no row uses), one
    /// row per `(range of text, entry)`, normally sorted by path, each path once (rows out of
    /// order are sorted, a repeated path keeps its first row). `None` when a range falls
    /// outside `text`, splits a character, or is too large for the table.
    pub fn from_backing(
        text: String,
        rows: impl IntoIterator<Item = (Range<usize>, Entry)>,
    ) -> Option<Table> {
        let rows = rows.into_iter();
        let mut table = Table {
            rows: Vec::with_capacity(rows.size_hint().0),
            text,
            ..Table::default()
        };
        for (range, entry) in rows {
            table.text.get(range.clone())?;
            table.rows.push(Row {
                start: u32::try_from(range.start).ok()?,
                len: u32::try_from(range.len()).ok()?,
                entry,
            });
        }
        table.sort();
        Some(table)
    }

    /// A builder filled path by path from bytes, as an index is read: one buffer, one row per
    /// path, no copy of either when [`Builder::finish`] makes the table.
    pub fn builder(bytes: usize, rows: usize) -> Builder {
        Builder {
            text: Vec::with_capacity(bytes),
            rows: Vec::with_capacity(rows),
            sorted: true,
        }
    }

    fn push(&mut self, path: &str, entry: Entry) {
        let start = u32::try_from(self.text.len()).expect("less than 4 GiB of paths");
        self.text.push_str(path);
        self.rows.push(Row {
            start,
            len: u32::try_from(path.len()).expect("a path below 4 GiB"),
            entry,
        });
    }

    /// Sort the rows when they are not strictly sorted already (one comparison per row when
    /// they are, as an index's are), dropping repeated paths.
    fn sort(&mut self) {
        let text = &self.text;
        let path = |r: &Row| &text[r.start as usize..(r.start + r.len) as usize];
        if self.rows.windows(2).all(|w| path(&w[0]) < path(&w[1])) {
            return;
        }
        self.rows.sort_by(|a, b| path(a).cmp(path(b)));
        self.rows.dedup_by(|later, kept| path(later) == path(kept));
    }

    fn path_of(&self, row: &Row) -> &str {
        &self.text[row.start as usize..(row.start + row.len) as usize]
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Row `i`: its path and entry.
    pub fn at(&self, i: usize) -> (&str, &Entry) {
        let row = &self.rows[i];
        (self.path_of(row), &row.entry)
    }

    /// Where `path` is (`Ok`), or where it would be inserted (`Err`).
    pub fn position(&self, path: &str) -> Result<usize, usize> {
        self.rows.binary_search_by(|r| self.path_of(r).cmp(path))
    }

    pub fn get_key_value(&self, path: &str) -> Option<(&str, &Entry)> {
        match self.index() {
            Some(index) => index
                .find(path_hash(path), |&i| self.path_of(&self.rows[i as usize]) == path)
                .map(|&i| self.at(i as usize)),
            None => self.position(path).ok().map(|i| self.at(i)),
        }
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get_key_value(path).is_some()
    }

    /// Path lookups answered by binary search before the hash index is built: building it
    /// hashes every path once, about what a few lookups per twenty rows cost.
    fn lookups_before_index(&self) -> usize {
        (self.rows.len() / 4).max(4096)
    }

    /// The hash index, once enough lookups were asked (see [`Table::index`]'s field).
    fn index(&self) -> Option<&hashbrown::HashTable<u32>> {
        if let Some(index) = self.index.get() {
            return Some(index);
        }
        if self.lookups.fetch_add(1, Ordering::Relaxed) < self.lookups_before_index() {
            return None;
        }
        // A table has fewer than 4 GiB of paths, so fewer rows than `u32::MAX`.
        let rows = u32::try_from(self.rows.len()).ok()?;
        Some(self.index.get_or_init(|| {
            let mut index = hashbrown::HashTable::with_capacity(self.rows.len());
            let hash_of = |i: &u32| path_hash(self.path_of(&self.rows[*i as usize]));
            for i in 0..rows {
                index.insert_unique(hash_of(&i), i, hash_of);
            }
            index
        }))
    }

    /// The rows of the paths that start with `prefix` (contiguous: the table is sorted).
    pub fn prefixed_rows(&self, prefix: &str) -> Range<usize> {
        let start = self.rows.partition_point(|r| self.path_of(r) < prefix);
        let len = self.rows[start..].partition_point(|r| self.path_of(r).starts_with(prefix));
        start..start + len
    }

    /// The rows from the first path `>= from` to the end.
    #[cfg(test)]
    pub fn rows_from(&self, from: &str) -> Range<usize> {
        self.rows.partition_point(|r| self.path_of(r) < from)..self.rows.len()
    }

    /// Rows `range` in order.
    pub fn iter_rows(&self, range: Range<usize>) -> Rows<'_> {
        Rows {
            table: self,
            rows: self.rows[range].iter(),
        }
    }

    /// Every path in order.
    #[cfg(test)]
    pub fn iter(&self) -> Rows<'_> {
        self.iter_rows(0..self.rows.len())
    }
}

fn path_hash(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

/// A [`Table`] being filled (see [`Table::builder`]).
pub struct Builder {
    text: Vec<u8>,
    rows: Vec<Row>,
    /// Every path pushed so far was greater than the one before (an index's order).
    sorted: bool,
}

impl Builder {
    /// Add `path` (its bytes) and its entry. `None` when the paths outgrow the table (4 GiB).
    pub fn push(&mut self, path: &[u8], entry: Entry) -> Option<()> {
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(path.len()).ok()?;
        start.checked_add(len)?;
        if self.sorted
            && let Some(last) = self.rows.last()
        {
            self.sorted = &self.text[last.start as usize..] < path;
        }
        self.text.extend_from_slice(path);
        self.rows.push(Row { start, len, entry });
        Some(())
    }

    /// The table: `None` when a path is not UTF-8 (the caller reads them another way). Rows
    /// pushed out of order are sorted, a repeated path keeps its first row.
    pub fn finish(self) -> Option<Table> {
        let text = String::from_utf8(self.text).ok()?;
        let whole = self.rows.iter().all(|r| {
            text.is_char_boundary(r.start as usize) && text.is_char_boundary((r.start + r.len) as usize)
        });
        if !whole {
            return None;
        }
        let mut table = Table {
            text,
            rows: self.rows,
            ..Table::default()
        };
        if !self.sorted {
            table.sort();
        }
        Some(table)
    }
}

/// Rows of a [`Table`], in order.
#[derive(Clone)]
pub struct Rows<'a> {
    table: &'a Table,
    rows: std::slice::Iter<'a, Row>,
}

impl<'a> Iterator for Rows<'a> {
    type Item = (&'a str, &'a Entry);

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.rows.next()?;
        Some((self.table.path_of(row), &row.entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

impl DoubleEndedIterator for Rows<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let row = self.rows.next_back()?;
        Some((self.table.path_of(row), &row.entry))
    }
}

impl ExactSizeIterator for Rows<'_> {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use git2::Oid;
    use proptest::prelude::*;

    use super::*;
    use crate::snapshot::EntryKind;

    fn entry(i: u8) -> Entry {
        Entry {
            oid: Oid::from_bytes(&[i; 20]).unwrap(),
            kind: [EntryKind::File, EntryKind::Symlink, EntryKind::Gitlink][usize::from(i % 3)],
        }
    }

    /// Paths from a small alphabet (`/`, `.`, `-`, `0`, letters, a non-ASCII letter), so that
    /// prefixes, folders and near neighbours (`a/b` and `a-b`, `a/` and `a0`) collide often.
    fn path() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec!["a", "b", "/", ".", "-", "0", "é", "ab", "a/"]),
            0..6,
        )
        .prop_map(|parts| parts.concat())
    }

    fn both(paths: &[String]) -> (Table, BTreeMap<String, Entry>) {
        let map: BTreeMap<String, Entry> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), entry(i as u8)))
            .collect();
        let table = Table::from_map(&map);
        (table, map)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Lookups, iteration, prefixes and lower bounds answer as the `BTreeMap` does.
        #[test]
        fn a_table_answers_as_a_btreemap(paths in proptest::collection::vec(path(), 0..40), asked in proptest::collection::vec(path(), 0..20)) {
            let (table, map) = both(&paths);
            prop_assert_eq!(table.len(), map.len());
            let from_table: Vec<(&str, &Entry)> = table.iter().collect();
            let from_map: Vec<(&str, &Entry)> = map.iter().map(|(p, e)| (p.as_str(), e)).collect();
            prop_assert_eq!(&from_table, &from_map);
            let back: Vec<(&str, &Entry)> = table.iter().rev().collect();
            prop_assert_eq!(back, from_map.iter().rev().copied().collect::<Vec<_>>());
            for q in asked.iter().chain(&paths) {
                prop_assert_eq!(table.get_key_value(q), map.get_key_value(q).map(|(p, e)| (p.as_str(), e)));
                prop_assert_eq!(table.contains_key(q), map.contains_key(q));
                let prefixed: Vec<(&str, &Entry)> = table.iter_rows(table.prefixed_rows(q)).collect();
                let expected: Vec<(&str, &Entry)> = map
                    .range::<str, _>((std::ops::Bound::Included(q.as_str()), std::ops::Bound::Unbounded))
                    .take_while(|(p, _)| p.starts_with(q.as_str()))
                    .map(|(p, e)| (p.as_str(), e))
                    .collect();
                prop_assert_eq!(prefixed, expected);
                let from: Vec<(&str, &Entry)> = table.iter_rows(table.rows_from(q)).collect();
                let expected: Vec<(&str, &Entry)> =
                    map.range::<str, _>((std::ops::Bound::Included(q.as_str()), std::ops::Bound::Unbounded)).map(|(p, e)| (p.as_str(), e)).collect();
                prop_assert_eq!(from, expected);
            }
            // The same lookups again from the hash index (built on the next one).
            table.lookups.store(usize::MAX / 2, Ordering::Relaxed);
            for q in asked.iter().chain(&paths) {
                prop_assert_eq!(table.get_key_value(q), map.get_key_value(q).map(|(p, e)| (p.as_str(), e)));
                prop_assert_eq!(table.contains_key(q), map.contains_key(q));
            }
            prop_assert!(asked.is_empty() && paths.is_empty() || table.index.get().is_some());
        }

        /// A table over a shared buffer (an index's path backing, with bytes no row uses)
        /// answers as one built path by path.
        #[test]
        fn a_table_over_a_backing_equals_one_built_path_by_path(paths in proptest::collection::btree_set(path(), 0..30), junk in path()) {
            let mut text = String::new();
            let mut rows = Vec::new();
            for (i, p) in paths.iter().enumerate() {
                text.push_str(&junk);
                rows.push((text.len()..text.len() + p.len(), entry(i as u8)));
                text.push_str(p);
            }
            let backed = Table::from_backing(text, rows).unwrap();
            let built = Table::from_map(&paths.iter().enumerate().map(|(i, p)| (p.clone(), entry(i as u8))).collect());
            prop_assert_eq!(backed.iter().collect::<Vec<_>>(), built.iter().collect::<Vec<_>>());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// A table filled by a builder, paths in any order and repeated, answers as a
        /// `BTreeMap` keeping each path's first entry.
        #[test]
        fn a_built_table_equals_the_map_of_first_entries(paths in proptest::collection::vec(path(), 0..30), sort in any::<bool>()) {
            let mut paths = paths;
            if sort {
                paths.sort();
            }
            let mut builder = Table::builder(0, 0);
            let mut map = BTreeMap::new();
            for (i, p) in paths.iter().enumerate() {
                builder.push(p.as_bytes(), entry(i as u8)).unwrap();
                map.entry(p.clone()).or_insert(entry(i as u8));
            }
            let built = builder.finish().unwrap();
            let expected = Table::from_map(&map);
            prop_assert_eq!(built.iter().collect::<Vec<_>>(), expected.iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_builder_refuses_paths_that_are_not_utf8() {
        let mut builder = Table::builder(0, 0);
        builder.push(b"a", entry(0)).unwrap();
        builder.push(b"b\xff", entry(1)).unwrap();
        assert!(builder.finish().is_none());
        // Valid as a whole, not path by path: a character split between two paths.
        let mut builder = Table::builder(0, 0);
        builder.push(&"é".as_bytes()[..1], entry(0)).unwrap();
        builder.push(&"é".as_bytes()[1..], entry(1)).unwrap();
        assert!(builder.finish().is_none());
    }

    #[test]
    fn rows_out_of_order_are_sorted_and_repeated_paths_kept_once() {
        let table = Table::from_backing(
            "b/xa/ya".into(),
            [
                (0..3, entry(1)),
                (3..6, entry(2)),
                (6..7, entry(3)),
                (3..6, entry(4)),
            ],
        )
        .unwrap();
        let rows: Vec<(&str, &Entry)> = table.iter().collect();
        assert_eq!(rows, [("a", &entry(3)), ("a/y", &entry(2)), ("b/x", &entry(1))]);
        assert_eq!(table.get_key_value("a/y"), Some(("a/y", &entry(2))));
    }

    #[test]
    fn a_range_outside_the_backing_or_inside_a_character_is_refused() {
        let e = entry(0);
        assert!(Table::from_backing("abc".into(), [(1..4, e)]).is_none());
        assert!(Table::from_backing("é".into(), [(0..1, e)]).is_none());
        assert!(Table::from_backing("é".into(), [(0..2, e)]).is_some());
    }
}
