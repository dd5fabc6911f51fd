use super::*;

fn params(connections: usize) -> EchoParams {
    EchoParams {
        steps: vec![closed(connections, 10)],
        requested_connections: connections,
        bytes: 64,
        server_delay_us: None,
        corrupt_step: None,
        core: None,
    }
}

#[test]
fn presets_are_valid_and_shaped() {
    for preset in Preset::ALL {
        validate(&TcpEcho::<Closed>::params(preset)).unwrap();
        validate(&TcpEcho::<Single>::params(preset)).unwrap();
        validate(&TcpEcho::<Open>::params(preset)).unwrap();
        validate(&TcpEcho::<Conns>::params(preset)).unwrap();
    }
    let p = TcpEcho::<Closed>::params(Preset::Full);
    assert_eq!(p.steps, [closed(500, 2_000)]);
    assert_eq!(p.requested_connections, 500);
    let p = TcpEcho::<Single>::params(Preset::Quick);
    assert_eq!(p.steps, [closed(1, 2_000)]);
    // The open loop: one step per rung of the ladder, every step at 50 connections,
    // each lasting about 30 ms of schedule.
    let p = TcpEcho::<Open>::params(Preset::Quick);
    let rates: Vec<f64> = p.steps.iter().filter_map(|s| s.rate_per_s).collect();
    assert_eq!(rates, Open::ladder(Preset::Quick));
    for step in &p.steps {
        assert_eq!(step.connections, 50);
        let length = schedule_length(step);
        assert!((0.025..=0.035).contains(&length), "{step:?}: {length}");
    }
    // The connection sweep: 1 to 1,000, closed loop, at least 4 rounds each.
    let p = TcpEcho::<Conns>::params(Preset::Quick);
    let counts: Vec<usize> = p.steps.iter().map(|s| s.connections).collect();
    assert_eq!(counts, [1, 10, 100, 1_000]);
    assert!(
        p.steps
            .iter()
            .all(|s| s.rate_per_s.is_none() && s.round_trips >= 4)
    );
    assert_eq!(p.requested_connections, 1_000);
}

#[test]
fn validate_rejects_empty_and_oversized_work() {
    assert!(validate(&params(0)).unwrap_err().contains("connection"));
    let mut p = params(1);
    p.steps[0].round_trips = 0;
    assert!(validate(&p).unwrap_err().contains("round trip"));
    for bytes in [0, MAX_BYTES + 1] {
        let p = EchoParams { bytes, ..params(1) };
        assert!(validate(&p).unwrap_err().contains("bytes"), "{bytes}");
    }
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let mut p = params(1);
        p.steps[0].rate_per_s = Some(rate);
        assert!(validate(&p).unwrap_err().contains("rate"), "{rate}");
    }
    let p = EchoParams {
        steps: Vec::new(),
        ..params(1)
    };
    assert!(validate(&p).unwrap_err().contains("step"));
}

#[test]
fn expected_is_stable_and_differs_by_mode_and_size() {
    let closed_tiny = TcpEcho::<Closed>::expected(&TcpEcho::<Closed>::params(Preset::Tiny));
    let single = TcpEcho::<Single>::expected(&TcpEcho::<Single>::params(Preset::Tiny));
    // Pinned: the same bytes as before the generator moved out of the cell, so a
    // change here changes every stored result's checksum.
    assert_eq!(
        [closed_tiny, single],
        [0xecb8_e0d8_3e45_8894, 0xf9e2_de33_f7f3_0e00],
        "{closed_tiny:#x} {single:#x}"
    );
    let open = TcpEcho::<Open>::expected(&TcpEcho::<Open>::params(Preset::Tiny));
    let conns = TcpEcho::<Conns>::expected(&TcpEcho::<Conns>::params(Preset::Tiny));
    assert_ne!(open, conns);
    assert_ne!(closed_tiny, open);
    // Every connection, round and byte counts.
    let base = TcpEcho::<Closed>::expected(&params(3));
    assert_ne!(base, TcpEcho::<Closed>::expected(&params(2)));
    let mut fewer = params(3);
    fewer.steps[0].round_trips = 9;
    assert_ne!(base, TcpEcho::<Closed>::expected(&fewer));
    let shorter = EchoParams {
        bytes: 63,
        ..params(3)
    };
    assert_ne!(base, TcpEcho::<Closed>::expected(&shorter));
    // The rate and the server delay change timing, not bytes.
    let mut paced = params(3);
    paced.steps[0].rate_per_s = Some(10.0);
    paced.server_delay_us = Some(5);
    assert_eq!(base, TcpEcho::<Closed>::expected(&paced));
}

#[test]
fn open_file_limit_caps_every_step_with_one_note() {
    let p = TcpEcho::<Conns>::params(Preset::Quick);
    let f = cap_connections(p, Some(164), None).unwrap();
    let counts: Vec<usize> = f.params.steps.iter().map(|s| s.connections).collect();
    assert_eq!(counts, [1, 10, 100, 100]);
    assert_eq!(f.params.requested_connections, 1_000);
    assert_eq!(
        f.notes,
        ["connections capped from 1000 to 100: open-file limit 164 (1 per connection + 64 spare)"]
    );
    // The checksum follows the capped params.
    assert_ne!(
        TcpEcho::<Conns>::expected(&f.params),
        TcpEcho::<Conns>::expected(&TcpEcho::<Conns>::params(Preset::Quick))
    );
}

#[test]
fn plenty_of_files_or_a_narrow_pool_changes_nothing() {
    let f = cap_connections(params(500), Some(20_000), None).unwrap();
    assert_eq!(f.params, params(500));
    assert!(f.notes.is_empty());
    // Exactly enough: 500 + 64.
    let f = cap_connections(params(500), Some(564), None).unwrap();
    assert_eq!(f.params.steps[0].connections, 500);
    // A pool of 2 serves 500 connections two at a time: not capped, measured.
    let f = cap_connections(params(500), None, Some(Concurrency::Bounded(2))).unwrap();
    assert_eq!(f.params.steps[0].connections, 500);
    assert!(f.notes.is_empty());
}

#[test]
fn too_few_files_for_one_connection_is_an_error() {
    assert_eq!(connections_within(65), Ok(1));
    for limit in [0, 64] {
        let why = cap_connections(params(4), Some(limit), None).unwrap_err();
        assert!(why.contains(&format!("open-file limit {limit}")), "{why}");
    }
}

#[test]
fn thread_cap_limits_connections_too() {
    let per_job = Some(Concurrency::PerJob { cap: 10 });
    let f = cap_connections(params(500), Some(164), per_job).unwrap();
    assert_eq!(f.params.steps[0].connections, 10);
    assert_eq!(f.notes.len(), 2);
    assert!(f.notes[1].contains("from 100 to 10"), "{:?}", f.notes);
}

#[test]
fn rates_replace_the_ladder_of_the_open_loop_only() {
    let rates: &'static [f64] = &[1_000.0, 3_000.0];
    let context = FitContext {
        rates: Some(rates),
        ..FitContext::for_async(Preset::Tiny)
    };
    let open = TcpEcho::<Open>::fit(TcpEcho::<Open>::params(Preset::Tiny), &context).unwrap();
    let got: Vec<f64> = open
        .params
        .steps
        .iter()
        .filter_map(|s| s.rate_per_s)
        .collect();
    assert_eq!(got, rates);
    let closed = TcpEcho::<Closed>::fit(TcpEcho::<Closed>::params(Preset::Tiny), &context).unwrap();
    assert_eq!(closed.params, TcpEcho::<Closed>::params(Preset::Tiny));
    assert!(TcpEcho::<Open>::takes_rate());
    assert!(!TcpEcho::<Closed>::takes_rate());
}

#[test]
fn an_early_open_loop_sample_is_caught() {
    let p = TcpEcho::<Open>::params(Preset::Tiny);
    let schedule: f64 = p.steps.iter().map(schedule_length).sum();
    assert!(schedule > 0.01, "{schedule}");
    let early = Duration::from_secs_f64(schedule * 0.9);
    assert!(TcpEcho::<Open>::check_sample(&p, early).is_err());
    let on_time = Duration::from_secs_f64(schedule * 1.01);
    assert!(TcpEcho::<Open>::check_sample(&p, on_time).is_ok());
    let closed = TcpEcho::<Closed>::params(Preset::Tiny);
    assert!(TcpEcho::<Closed>::check_sample(&closed, Duration::from_nanos(1)).is_ok());
}

#[test]
fn describe_names_steps_rates_and_delay() {
    let mut p = TcpEcho::<Open>::params(Preset::Tiny);
    p.server_delay_us = Some(2_000);
    assert_eq!(
        describe(&p),
        "4 connections of 64 B requests at 2000, 8000 requests/s, 2 steps, server delay \
         2000 µs (test knob)"
    );
    assert_eq!(
        describe(&TcpEcho::<Single>::params(Preset::Tiny)),
        "1 connection x 50 round trips of 64 B"
    );
    assert_eq!(
        describe(&TcpEcho::<Conns>::params(Preset::Tiny)),
        "1 x 64, 4 x 16, 16 x 4 connections, closed loop, 64 B requests, 3 steps"
    );
}
