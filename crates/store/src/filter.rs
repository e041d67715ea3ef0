//! A list query's `WHERE` clause built from conditions with their arguments, and the ids of one
//! page of it in a given order.
//!
//! A condition matched by any of several alternatives (the ids of a merged identity, an
//! actor's roles) is an `IN` or `OR` that SQLite reads as one set: to order a page it sorts
//! every matching row, reading each one (ten thousand quotes for Donald Trump's two ids). A
//! page is instead the union of one ordered walk per alternative, each stopped after
//! `offset + limit` rows (its index gives the order), merged and cut: no row beyond the page's
//! reach is read.

use rusqlite::types::Value;

/// Alternatives walked one at a time at most (more are read as one set).
const MAX_WALKS: usize = 16;

/// One condition of a `WHERE` clause.
pub(crate) enum Cond {
    /// SQL with its `?` arguments.
    All(String, Vec<Value>),
    /// Matched by any of these (each SQL with its arguments).
    Any(Vec<(String, Vec<Value>)>),
}

#[derive(Default)]
pub(crate) struct Filter(Vec<Cond>);

/// The order of a list's pages: an `ORDER BY` over columns of the table `alias` (each written
/// `alias.column`), which must order rows completely.
pub(crate) struct Order {
    pub alias: &'static str,
    pub columns: &'static [&'static str],
    pub sql: &'static str,
}

impl Filter {
    pub fn all(&mut self, sql: impl Into<String>, args: impl IntoIterator<Item = Value>) {
        self.0.push(Cond::All(sql.into(), args.into_iter().collect()));
    }

    pub fn any(&mut self, alternatives: Vec<(String, Vec<Value>)>) {
        self.0.push(Cond::Any(alternatives));
    }

    /// ` WHERE …` (empty without conditions) and its arguments; with `pick` = (i, j), the
    /// `Any` at position `i` is its alternative `j` alone.
    fn clause(&self, pick: Option<(usize, usize)>) -> (String, Vec<Value>) {
        let mut parts = Vec::new();
        let mut args = Vec::new();
        for (i, c) in self.0.iter().enumerate() {
            match c {
                Cond::All(sql, a) => {
                    parts.push(sql.clone());
                    args.extend(a.iter().cloned());
                }
                Cond::Any(alts) => match pick {
                    Some((at, j)) if at == i => {
                        parts.push(alts[j].0.clone());
                        args.extend(alts[j].1.iter().cloned());
                    }
                    _ => {
                        parts.push(format!("({})", alts.iter().map(|a| a.0.as_str()).collect::<Vec<_>>().join(" OR ")));
                        args.extend(alts.iter().flat_map(|a| a.1.iter().cloned()));
                    }
                },
            }
        }
        if parts.is_empty() {
            (String::new(), args)
        } else {
            (format!(" WHERE {}", parts.join(" AND ")), args)
        }
    }

    /// ` WHERE …` with every condition, and its arguments.
    pub fn sql(&self) -> (String, Vec<Value>) {
        self.clause(None)
    }

    /// `SELECT id …` of one page: rows of `from` (`table alias` and any hint) matching the
    /// filter, in `order`, `limit` rows from `offset`. With `walk`, an `Any` of several
    /// alternatives is walked one alternative at a time (see the module).
    pub fn page_ids(&self, from: &str, order: &Order, limit: u64, offset: u64, walk: bool) -> (String, Vec<Value>) {
        let Order { alias, columns, sql: order } = *order;
        let split = self.0.iter().position(|c| matches!(c, Cond::Any(a) if (2..=MAX_WALKS).contains(&a.len())));
        let (Some(at), true) = (split, walk) else {
            let (filter, args) = self.sql();
            return (format!("SELECT {alias}.id FROM {from}{filter} {order} LIMIT {limit} OFFSET {offset}"), args);
        };
        let Cond::Any(alts) = &self.0[at] else { unreachable!("position found an Any") };
        let reach = limit.saturating_add(offset).min(i64::MAX as u64);
        let cols = columns.iter().map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ");
        let mut args = Vec::new();
        let walks: Vec<String> = (0..alts.len())
            .map(|j| {
                let (filter, a) = self.clause(Some((at, j)));
                args.extend(a);
                format!("SELECT * FROM (SELECT {alias}.id, {cols} FROM {from}{filter} {order} LIMIT {reach})")
            })
            .collect();
        // The same order over the union's own columns (an alternative's rows may be another's:
        // UNION keeps one of each).
        let outer = order.replace(&format!("{alias}."), "");
        (format!("SELECT id FROM ({}) {outer} LIMIT {limit} OFFSET {offset}", walks.join(" UNION ")), args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::{params_from_iter, Connection};

    /// Pages walked per alternative are the pages of the whole set, for every offset and a few
    /// limits, with ties in the first sort key, NULLs, rows matching two alternatives and a
    /// further condition.
    #[test]
    fn pages_walked_per_alternative_are_the_pages_of_the_whole_set() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, day TEXT, doc TEXT, ord INTEGER, kind TEXT);
             CREATE INDEX t_a ON t(a, day); CREATE INDEX t_b ON t(b, day);",
        )
        .unwrap();
        let mut st = conn.prepare("INSERT INTO t(a, b, day, doc, ord, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
        for n in 0..300u32 {
            let pick = |m: u32| ["x", "y", "z", "w"][(n * m % 7 % 4) as usize];
            let day = (n % 9 != 0).then(|| format!("2025-08-{:02}", 1 + n * 13 % 5));
            let kind = if n % 3 == 0 { "direct" } else { "indirect" };
            st.execute(rusqlite::params![pick(3), pick(5), day, format!("d{}", n % 23), n % 4, kind]).unwrap();
        }
        let order =
            Order { alias: "t", columns: &["day", "doc", "ord"], sql: "ORDER BY t.day DESC, t.doc, t.ord, t.id" };
        let alt = |col: &str, v: &str| (format!("t.{col} = ?"), vec![Value::from(v.to_string())]);
        let filters: Vec<Filter> = vec![
            {
                let mut f = Filter::default();
                f.any(vec![alt("a", "x"), alt("a", "y")]);
                f
            },
            {
                // Roles: a row may match both alternatives.
                let mut f = Filter::default();
                f.any(vec![alt("a", "x"), alt("b", "x"), alt("a", "z")]);
                f.all("t.kind = ?", [Value::from("indirect".to_string())]);
                f
            },
        ];
        let ids = |sql: &str, args: &[Value]| -> Vec<i64> {
            let mut st = conn.prepare(sql).unwrap();
            st.query_map(params_from_iter(args.iter()), |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        for f in &filters {
            let (whole, args) = f.page_ids("t", &order, 1000, 0, false);
            let whole = ids(&whole, &args);
            assert!(whole.len() > 50, "{}", whole.len());
            for limit in [1, 7, 50] {
                for offset in 0..whole.len() as u64 + 2 {
                    let (walked, args) = f.page_ids("t", &order, limit, offset, true);
                    assert!(walked.contains(" UNION "), "{walked}");
                    let want: Vec<i64> = whole.iter().copied().skip(offset as usize).take(limit as usize).collect();
                    assert_eq!(ids(&walked, &args), want, "limit {limit} offset {offset}");
                }
            }
        }
    }
}
