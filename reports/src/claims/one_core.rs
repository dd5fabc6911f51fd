//! Claim 3: concurrency on one core only simulates parallelism.

use super::*;

/// Claim 3, derived and rendered.
pub(super) struct OneCore;

/// Claim 3 on this run: single-threaded concurrency on CPU work and on waits.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OneCoreFinding {
    /// The runners that interleave tasks on one OS thread (class concurrent).
    pub(super) single_runners: Vec<String>,
    pub(super) outcome: Outcome<OneCoreMeasured, OneCoreGap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum OneCoreGap {
    Missing(Absence),
    NoSingleThreadedRunner,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OneCoreMeasured {
    /// `cpu` on each single-threaded runner at its comparison point.
    pub(super) cpu: Vec<Speedup>,
    /// `sleep` likewise.
    pub(super) sleep: Vec<Speedup>,
    /// The fastest and the busiest `cpu` cell.
    pub(super) fastest: Speedup,
    pub(super) busiest: Speedup,
    pub(super) on_cpu: OnCpu,
    pub(super) waits: Waits,
    pub(super) verdict: Verdict,
}

/// What CPU work did on one thread.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum OnCpu {
    /// The fastest gained more than [`NO_GAIN`].
    Gained,
    /// The busiest kept more than [`ONE_CORE`] cores busy.
    SeveralCores,
    /// No gain, on one core.
    OnlyLooksParallel,
}

/// What interleaving bought on waiting work.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Waits {
    /// Every runner reached [`LARGE`]: from the slowest to the best.
    Large {
        slowest: Speedup,
        best: Speedup,
    },
    /// The slowest stayed below [`LARGE`].
    Small {
        slowest: Speedup,
    },
    NotMeasured(Vec<Absence>),
}

impl Claim for OneCore {
    type Finding = OneCoreFinding;

    fn derive(run: &Run<'_>) -> OneCoreFinding {
        let single = run.runners(|c| c.class == Class::Concurrent);
        let single_runners = owned(&single);
        let at_point = |w: &str| -> Vec<Speedup> {
            single
                .iter()
                .filter_map(|r| run.point(r, w))
                .filter(|c| run.speedup(c).is_some())
                .map(|c| run.speedup_of(c))
                .collect()
        };
        let cpu = at_point(CPU);
        if cpu.is_empty() {
            let gaps = match run.absent_seq(CPU) {
                Some(m) => vec![OneCoreGap::Missing(m)],
                None if single.is_empty() => vec![OneCoreGap::NoSingleThreadedRunner],
                None => single
                    .iter()
                    .map(|r| OneCoreGap::Missing(run.absence(r, CPU)))
                    .collect(),
            };
            return OneCoreFinding {
                single_runners,
                outcome: Outcome::NotMeasured(gaps),
            };
        }
        let sleep = at_point(SLEEP);
        let by_speedup = |a: &&Speedup, b: &&Speedup| a.value().total_cmp(&b.value());
        let fastest = cpu.iter().max_by(by_speedup).expect("not empty").clone();
        let busiest = cpu
            .iter()
            .max_by(|a, b| a.cores.total_cmp(&b.cores))
            .expect("not empty")
            .clone();
        let on_cpu = if fastest.value() > NO_GAIN {
            OnCpu::Gained
        } else if busiest.cores > ONE_CORE {
            OnCpu::SeveralCores
        } else {
            OnCpu::OnlyLooksParallel
        };
        let waits = match sleep.iter().min_by(by_speedup) {
            Some(slowest) if slowest.value() >= LARGE => Waits::Large {
                slowest: slowest.clone(),
                best: sleep.iter().max_by(by_speedup).expect("not empty").clone(),
            },
            Some(slowest) => Waits::Small {
                slowest: slowest.clone(),
            },
            None => Waits::NotMeasured(match run.absent_seq(SLEEP) {
                Some(m) => vec![m],
                None => single.iter().map(|r| run.absence(r, SLEEP)).collect(),
            }),
        };
        let verdict = match on_cpu {
            OnCpu::OnlyLooksParallel => Verdict::Holds,
            _ => Verdict::DoesNotHold,
        };
        OneCoreFinding {
            single_runners,
            outcome: Outcome::Measured(OneCoreMeasured {
                cpu,
                sleep,
                fastest,
                busiest,
                on_cpu,
                waits,
                verdict,
            }),
        }
    }

    fn render(finding: &OneCoreFinding) -> Check {
        let claim = "Concurrency on one core only simulates parallelism.".to_owned();
        let experiment = format!(
            "`{CPU}` and `{SLEEP}` on the runners that interleave many tasks on one OS thread \
             ({}), against `seq`",
            names(&finding.single_runners, "class concurrent")
        );
        let rule = format!(
            "holds when CPU work gains at most {NO_GAIN}× over `seq` on them while using at \
             most {ONE_CORE} cores; their speedup on waiting work (large from {LARGE}×) shows \
             what interleaving does buy."
        );
        let m = match &finding.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(gaps) => {
                let gaps: Vec<String> = gaps
                    .iter()
                    .map(|gap| match gap {
                        OneCoreGap::Missing(absence) => absence.text(),
                        OneCoreGap::NoSingleThreadedRunner => {
                            "no single-threaded concurrent runner ran".to_owned()
                        }
                    })
                    .collect();
                return not_measured(claim, experiment, rule, &gaps);
            }
        };
        let mut measured = vec![format!(
            "`{CPU}`: {}",
            m.cpu
                .iter()
                .map(|s| format!("{} {} on {} cores", s.cell.runner, sx(s), cores(s.cores)))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if !m.sleep.is_empty() {
            measured.push(format!(
                "`{SLEEP}`: {}",
                m.sleep
                    .iter()
                    .map(|s| format!("{} {}", s.cell.runner, sx(s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut why = match m.on_cpu {
            OnCpu::Gained => format!(
                "{} ran CPU work at {} `seq` on one thread",
                m.fastest.cell.runner,
                sx(&m.fastest)
            ),
            OnCpu::SeveralCores => format!(
                "{} kept {} cores busy on CPU work",
                m.busiest.cell.runner,
                cores(m.busiest.cores)
            ),
            OnCpu::OnlyLooksParallel => format!(
                "interleaving tasks on one thread bought nothing on CPU work (at most {} `seq`, \
                 on at most {} cores): it only looks parallel",
                sx(&m.fastest),
                cores(m.busiest.cores)
            ),
        };
        match &m.waits {
            Waits::Large { slowest, best } => {
                let range = if slowest.cell == best.cell {
                    sx(best)
                } else {
                    format!("{} to {}", sx(slowest), sx(best))
                };
                write!(
                    why,
                    ". On waiting work the overlap is real: the waits overlapped, {range} faster \
                     than `seq`"
                )
            }
            Waits::Small { slowest } => write!(
                why,
                ". On waiting work it gained only {} ({})",
                sx(slowest),
                slowest.cell.runner
            ),
            Waits::NotMeasured(absent) => write!(
                why,
                ". Waiting work: not measured in this run ({})",
                join_and(&absent.iter().map(Absence::text).collect::<Vec<_>>())
            ),
        }
        .expect("write to String");
        Check {
            claim,
            experiment,
            rule,
            measured,
            verdict: m.verdict.clone(),
            why,
            extrapolated: m.cpu.iter().chain(&m.sleep).any(|s| s.extrapolated),
            also: None,
            against: None,
        }
    }
}
