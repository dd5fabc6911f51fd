//! Claim 3: concurrency on one core only simulates parallelism.

use super::*;

/// Claim 3: single-threaded concurrency on CPU work and on waits.
pub(super) fn one_core(run: &Run<'_>) -> Check {
    let claim = "Concurrency on one core only simulates parallelism.".to_owned();
    let single = run.runners(|c| c.class == Class::Concurrent);
    let experiment = format!(
        "`{CPU}` and `{SLEEP}` on the runners that interleave many tasks on one OS thread ({}), \
         against `seq`",
        names(&single, "class concurrent")
    );
    let rule = format!(
        "holds when CPU work gains at most {NO_GAIN}× over `seq` on them while using at most \
         {ONE_CORE} cores; their speedup on waiting work (large from {LARGE}×) shows what \
         interleaving does buy."
    );
    let cpu: Vec<&Cell> = single
        .iter()
        .filter_map(|r| run.point(r, CPU))
        .filter(|c| run.speedup(c).is_some())
        .collect();
    if cpu.is_empty() {
        let missing = match run.missing_seq(CPU) {
            Some(m) => vec![m],
            None if single.is_empty() => {
                vec!["no single-threaded concurrent runner ran".to_owned()]
            }
            None => single.iter().map(|r| run.missing(r, CPU)).collect(),
        };
        return not_measured(claim, experiment, rule, &missing);
    }
    let sleep: Vec<&Cell> = single
        .iter()
        .filter_map(|r| run.point(r, SLEEP))
        .filter(|c| run.speedup(c).is_some())
        .collect();
    let mut measured = vec![format!(
        "`{CPU}`: {}",
        cpu.iter()
            .map(|c| format!("{} {} on {} cores", c.runner, run.sx(c), cores(run.util(c))))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if !sleep.is_empty() {
        measured.push(format!(
            "`{SLEEP}`: {}",
            sleep
                .iter()
                .map(|c| format!("{} {}", c.runner, run.sx(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let fastest = cpu
        .iter()
        .copied()
        .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
        .expect("not empty");
    let busiest = cpu
        .iter()
        .copied()
        .max_by(|a, b| run.util(a).total_cmp(&run.util(b)))
        .expect("not empty");
    let top = run.speedup(fastest).unwrap();
    let (verdict, mut why) = if top > NO_GAIN {
        (
            Verdict::DoesNotHold,
            format!(
                "{} ran CPU work at {} `seq` on one thread",
                fastest.runner,
                run.sx(fastest)
            ),
        )
    } else if run.util(busiest) > ONE_CORE {
        (
            Verdict::DoesNotHold,
            format!(
                "{} kept {} cores busy on CPU work",
                busiest.runner,
                cores(run.util(busiest))
            ),
        )
    } else {
        (
            Verdict::Holds,
            format!(
                "interleaving tasks on one thread bought nothing on CPU work (at most {} `seq`, \
                 on at most {} cores): it only looks parallel",
                run.sx(fastest),
                cores(run.util(busiest))
            ),
        )
    };
    match sleep
        .iter()
        .copied()
        .min_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
    {
        Some(slowest) if run.speedup(slowest).unwrap() >= LARGE => {
            let best = sleep
                .iter()
                .copied()
                .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
                .expect("not empty");
            let range = if std::ptr::eq(slowest, best) {
                run.sx(best)
            } else {
                format!("{} to {}", run.sx(slowest), run.sx(best))
            };
            write!(
                why,
                "; on waiting work the overlap is real: the waits overlapped, {range} faster \
                 than `seq`"
            )
        }
        Some(slowest) => write!(
            why,
            "; on waiting work it gained only {} ({})",
            run.sx(slowest),
            slowest.runner
        ),
        None => write!(
            why,
            "; waiting work: not measured in this run ({})",
            run.missing_seq(SLEEP).unwrap_or_else(|| join_and(
                &single
                    .iter()
                    .map(|r| run.missing(r, SLEEP))
                    .collect::<Vec<_>>()
            ))
        ),
    }
    .expect("write to String");
    // Until this claim derives a typed finding, its † is read from its words.
    let extrapolated = measured.iter().any(|m| m.contains('†')) || why.contains('†');
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
        extrapolated,
    }
}
