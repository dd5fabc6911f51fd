//! Tables of already formatted cells and their GitHub-flavoured Markdown layout:
//! the part every tabular renderer shares (hyperfine keeps its equivalent in
//! `markup.rs`), so a new output format fills a [`Table`] instead of re-deriving it.

use std::fmt::Write as _;

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: flush left.
    Left,
    /// Numbers: flush right, so digits line up.
    Right,
}

/// A table of already formatted cells: column headers with their alignment, then
/// rows. Knows nothing about results; renderers fill it and lay it out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers and alignments and no rows.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = (S, Align)>) -> Self {
        Self {
            columns: columns.into_iter().map(|(h, a)| (h.into(), a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing trailing cells are left empty and extra ones dropped.
    pub fn push_row(&mut self, mut row: Vec<String>) {
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// The column headers and their alignments.
    pub fn columns(&self) -> &[(String, Align)] {
        &self.columns
    }

    /// The rows, each exactly as long as [`Table::columns`].
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as GitHub-flavoured Markdown, columns padded to a common width so
    /// the source reads as a table too; ends with a newline.
    pub fn to_markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let header: Vec<String> = self.columns.iter().map(|(h, _)| escape(h)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].chars().count(), 3])
                    .max()
                    .unwrap_or(3)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let mut s = String::from("|");
            for ((cell, (_, align)), &width) in cells.iter().zip(&self.columns).zip(&widths) {
                let pad = " ".repeat(width - cell.chars().count());
                match align {
                    Align::Left => write!(s, " {cell}{pad} |"),
                    Align::Right => write!(s, " {pad}{cell} |"),
                }
                .expect("write to String");
            }
            s.push('\n');
            s
        };
        let rule: Vec<String> = self
            .columns
            .iter()
            .zip(&widths)
            .map(|((_, align), &width)| match align {
                Align::Left => "-".repeat(width),
                Align::Right => format!("{}:", "-".repeat(width - 1)),
            })
            .collect();
        let mut out = line(&header);
        out.push_str(&line(&rule));
        for row in &rows {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_and_aligns() {
        let mut t = Table::new([("Name", Align::Left), ("Time [ms]", Align::Right)]);
        t.push_row(vec!["a|b".into(), "1.5".into()]);
        t.push_row(vec!["long name".into()]);
        assert_eq!(
            t.to_markdown(),
            "| Name      | Time [ms] |\n\
             | --------- | --------: |\n\
             | a\\|b      |       1.5 |\n\
             | long name |           |\n"
        );
    }
}
