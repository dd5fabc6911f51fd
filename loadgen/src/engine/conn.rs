//! One connection's state machine: connecting, idle (reply verified, next request
//! filled and waiting for its due time), writing the request, reading the reply, done.
//! Partial writes and reads resume where they stopped when the socket is ready again;
//! the request and reply buffers are allocated once, when the connection opens.

use crate::wire;
use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use std::io::{self, Read, Write};
use std::net::SocketAddr;

/// Where a connection is in its current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The non-blocking connect has not completed yet.
    Connecting,
    /// Between rounds: the next request is filled in and not yet sent.
    Idle,
    /// Part of the request is written.
    Writing,
    /// The whole request is written; part of the reply may be read.
    Reading,
    /// Every round trip is done and the connection is closed.
    Done,
}

/// What [`Conn::advance`] got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Progress {
    /// The socket would block (or there is nothing to do): wait for readiness.
    Pending,
    /// The whole reply is in; [`Conn::finish_reply`] checks it.
    Replied,
}

/// One connection of a step.
pub(super) struct Conn {
    /// Its number c in the step (0..C), which fixes its requests' bytes and due times.
    pub(super) index: usize,
    /// `None` once closed.
    stream: Option<TcpStream>,
    addr: SocketAddr,
    request: Box<[u8]>,
    reply: Box<[u8]>,
    /// Bytes of the request written (Writing) or of the reply read (Reading).
    pos: usize,
    /// The round in progress (0-based); equal to R when done.
    pub(super) round: u32,
    pub(super) phase: Phase,
    /// Open loop: when the current round's request is due (CLOCK_MONOTONIC ns).
    pub(super) due_ns: u64,
    /// When the current round's request was actually sent.
    pub(super) sent_ns: u64,
}

impl Conn {
    /// Starts a non-blocking connect to `addr` and fills round 0's request.
    pub(super) fn connect(
        index: usize,
        addr: SocketAddr,
        tag: u64,
        bytes: usize,
    ) -> Result<Conn, String> {
        let stream = TcpStream::connect(addr)
            .map_err(|e| format!("connection {index}: cannot connect to {addr}: {e}"))?;
        let mut request = vec![0u8; bytes].into_boxed_slice();
        wire::fill(&mut request, tag, index, 0);
        Ok(Conn {
            index,
            stream: Some(stream),
            addr,
            request,
            reply: vec![0u8; bytes].into_boxed_slice(),
            pos: 0,
            round: 0,
            phase: Phase::Connecting,
            due_ns: 0,
            sent_ns: 0,
        })
    }

    /// Registers for read and write readiness (edge-triggered) under `token`.
    pub(super) fn register(&mut self, registry: &Registry, token: Token) -> Result<(), String> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        registry
            .register(stream, token, Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| format!("connection {}: cannot register with epoll: {e}", self.index))
    }

    /// After a readiness event while connecting: `Ok(true)` once the connection is
    /// established (and TCP_NODELAY set), `Ok(false)` if it is still in progress.
    pub(super) fn check_connected(&mut self) -> Result<bool, String> {
        let (index, addr) = (self.index, self.addr);
        let fail = |e: io::Error| format!("connection {index}: cannot connect to {addr}: {e}");
        let Some(stream) = self.stream.as_ref() else {
            return Ok(false);
        };
        if let Some(e) = stream.take_error().map_err(fail)? {
            return Err(fail(e));
        }
        match stream.peer_addr() {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(false),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => return Ok(false),
            Err(e) => return Err(fail(e)),
        }
        // Without it, Nagle's algorithm could hold a request back behind an unacked one.
        stream
            .set_nodelay(true)
            .map_err(|e| format!("connection {index}: cannot set TCP_NODELAY: {e}"))?;
        self.phase = Phase::Idle;
        Ok(true)
    }

    /// Starts sending the filled-in request at `now_ns`; call [`Conn::advance`] next.
    pub(super) fn start_send(&mut self, now_ns: u64) {
        debug_assert_eq!(self.phase, Phase::Idle);
        self.sent_ns = now_ns;
        self.pos = 0;
        self.phase = Phase::Writing;
    }

    /// Writes and reads as far as the socket allows without blocking.
    pub(super) fn advance(&mut self) -> Result<Progress, String> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(Progress::Pending);
        };
        loop {
            let result = match self.phase {
                Phase::Writing => stream.write(&self.request[self.pos..]),
                Phase::Reading => stream.read(&mut self.reply[self.pos..]),
                _ => return Ok(Progress::Pending),
            };
            match result {
                Ok(0) => {
                    return Err(format!(
                        "connection {}, round {}: {} closed the connection after {} of the {} \
                         bytes of the {}",
                        self.index,
                        self.round,
                        self.addr,
                        self.pos,
                        self.request.len(),
                        if self.phase == Phase::Writing {
                            "request"
                        } else {
                            "reply"
                        }
                    ));
                }
                Ok(n) => {
                    self.pos += n;
                    if self.pos < self.request.len() {
                        continue;
                    }
                    self.pos = 0;
                    if self.phase == Phase::Reading {
                        return Ok(Progress::Replied);
                    }
                    self.phase = Phase::Reading;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Pending),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let what = if self.phase == Phase::Writing {
                        "write to"
                    } else {
                        "read from"
                    };
                    return Err(format!(
                        "connection {}, round {}: {what} {} failed: {e}",
                        self.index, self.round, self.addr
                    ));
                }
            }
        }
    }

    /// Checks the reply just read and moves to the next round: returns the reply's
    /// digest. The next request is filled in now, before it is due, so sending it is
    /// only a write; after the last round the connection is closed.
    pub(super) fn finish_reply(&mut self, tag: u64, round_trips: u32) -> Result<u64, String> {
        wire::verify(&self.request, &self.reply, self.index, self.round)
            .map_err(|e| format!("{e} (server {})", self.addr))?;
        let digest = wire::digest(&self.reply);
        self.round += 1;
        if self.round < round_trips {
            wire::fill(&mut self.request, tag, self.index, self.round);
            self.phase = Phase::Idle;
        } else {
            // Closed at once, not at the end of the step: a pool server that serves N
            // connections at a time takes the next one only when one closes.
            // Closing the descriptor also removes it from the epoll set.
            self.stream = None;
            self.phase = Phase::Done;
        }
        Ok(digest)
    }

    /// Where the connection stands, for a time-limit message.
    pub(super) fn describe(&self) -> String {
        let (c, k, addr) = (self.index, self.round, self.addr);
        match self.phase {
            Phase::Connecting => format!("connection {c} was still connecting to {addr}"),
            Phase::Idle => format!("connection {c} was waiting to send round {k} to {addr}"),
            Phase::Writing => format!(
                "connection {c}, round {k}: {} of {} request bytes were written to {addr}",
                self.pos,
                self.request.len()
            ),
            Phase::Reading => format!(
                "connection {c}, round {k}: {} of {} reply bytes had come from {addr}",
                self.pos,
                self.reply.len()
            ),
            Phase::Done => format!("connection {c} was done"),
        }
    }
}
