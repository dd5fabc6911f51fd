//! *Reproduce*: the command line that runs the same plan again.

use super::Report;
use std::fmt::Write as _;

impl<'a> Report<'a> {
    // -- reproduce ----------------------------------------------------------

    pub(super) fn reproduce(&self, out: &mut String) {
        let r = self.results;
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str("## Reproduce\n\n");
        writeln!(
            out,
            "rtcompare {}, commit `{}`, {}; created {}.\n\n```sh\n{}\n```",
            r.tool_version,
            r.machine.git_commit.as_deref().unwrap_or("unknown"),
            r.machine.rustc,
            r.created,
            r.config.command
        )
        .expect("write to String");
    }
}

/// The section itself, for the registry.
pub(super) struct Reproduce;

impl super::Section for Reproduce {
    fn id(&self) -> &'static str {
        "reproduce"
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        report.reproduce(out);
    }
}
