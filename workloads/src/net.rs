//! A network cell's session: the one loopback listener its server accepts on and the
//! external load generator that drives it, both set up by the harness before the
//! runner is built (outside every timed region) and read by the `tcp-echo` bodies.
//!
//! Why the harness owns them and not the workload body:
//! - **The generator is a process of its own** ([`rtcompare_loadgen::Generator`]),
//!   started once per cell and kept for all its samples, so no sample pays for
//!   starting it and nothing of the client runs on the runtime under test.
//! - **One listener per cell, inherited by worker processes.** The `processes`
//!   runner is a pre-fork server: its worker processes are started with the runner,
//!   before any body runs, and accept on the cell's listener. So the listener is bound
//!   first, marked inheritable, and its descriptor number passed in [`LISTEN_FD_ENV`];
//!   a worker adopts it with [`Session::for_worker`] and has no generator.
//!
//! The listener has a backlog of [`BACKLOG`] (the kernel caps it at `somaxconn`), so a
//! sweep's 1,000 connections complete their handshakes while a narrow pool serves a
//! few at a time instead of being dropped and retried by SYN timeouts.

use rtcompare_loadgen::{Generator, Options, Plan, Report};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::{Mutex, OnceLock};

/// The env var through which worker processes find the cell's listener descriptor.
pub const LISTEN_FD_ENV: &str = "RTCOMPARE_LISTEN_FD";

/// Pending connections the listener holds (the kernel caps it at `somaxconn`).
pub const BACKLOG: i32 = 4096;

/// The cell's CPU time as the harness counts it: this process and its worker
/// processes, the generator excluded, in seconds.
pub type CpuClock = fn() -> f64;

/// The listener and the generator of one network cell (see the module docs).
pub struct Session {
    listener: TcpListener,
    /// Cores 1.. of a thread-per-core server: their `SO_REUSEPORT` listeners on the
    /// cell's port ([`Session::core_listener`]).
    siblings: Mutex<Vec<TcpListener>>,
    addr: SocketAddr,
    generator: Option<Mutex<Generator>>,
    generator_pid: Option<u32>,
    options: Options,
    server_cpu: CpuClock,
}

static SESSION: OnceLock<Session> = OnceLock::new();

/// Makes `session` the process's network session. Once per process.
pub fn install(session: Session) -> Result<(), String> {
    SESSION
        .set(session)
        .map_err(|_| "the network session is already installed".to_owned())
}

/// The process's network session. Panics with what is missing when the harness did
/// not install one, which is a bug of the harness, never of a runner.
pub fn session() -> &'static Session {
    SESSION.get().expect(
        "a network workload ran without a network session: the harness must call \
         rtcompare_workloads::net::install before building the runner",
    )
}

/// The process's network session, if the harness installed one (network cells and
/// their worker processes only).
pub fn try_session() -> Option<&'static Session> {
    SESSION.get()
}

/// Binds a blocking loopback listener on an ephemeral port with [`BACKLOG`].
fn bind_loopback() -> io::Result<TcpListener> {
    bind_reusable(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
}

/// Binds a blocking listener on `addr` with [`BACKLOG`] and `SO_REUSEPORT`, so that a
/// thread-per-core server's cores can each bind one more on the cell's port and the
/// kernel spreads new connections over them ([`Session::core_listener`]). Nothing
/// else can join: only sockets of this user that set the option too.
fn bind_reusable(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

impl Session {
    /// The cell's session: binds the listener, starts the generator (the binary
    /// `exe` in its generator mode, see [`rtcompare_loadgen::run_if_child`]), then
    /// marks the listener inheritable for worker processes started after this.
    /// `server_cpu` is the harness's clock of the server's CPU time.
    pub fn for_cell(
        exe: &std::path::Path,
        options: Options,
        server_cpu: CpuClock,
    ) -> io::Result<Session> {
        let listener = bind_loopback()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on 127.0.0.1: {e}")))?;
        let addr = listener.local_addr()?;
        // Started while the listener is still close-on-exec, so the generator does
        // not hold the server's socket.
        let generator = Generator::spawn(exe, &options).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot start the load generator ({}): {e}", exe.display()),
            )
        })?;
        let generator_pid = Some(generator.pid());
        inheritable(&listener)?;
        // SAFETY: set before any worker process or runtime thread exists: the
        // harness installs the session on the cell's only thread, before the runner.
        unsafe { std::env::set_var(LISTEN_FD_ENV, listener.as_raw_fd().to_string()) };
        Ok(Session {
            listener,
            siblings: Mutex::new(Vec::new()),
            addr,
            generator: Some(Mutex::new(generator)),
            generator_pid,
            options,
            server_cpu,
        })
    }

    /// A `processes` worker's session: the cell's listener, inherited at the
    /// descriptor named in [`LISTEN_FD_ENV`]; no generator (the cell drives it).
    pub fn for_worker(server_cpu: CpuClock) -> io::Result<Session> {
        let fd: i32 = std::env::var(LISTEN_FD_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                io::Error::other(format!(
                    "a worker of a network cell needs {LISTEN_FD_ENV}, the inherited listener"
                ))
            })?;
        // SAFETY: the cell process bound this descriptor, cleared its close-on-exec
        // flag and named it in the env var; this process owns its inherited copy.
        let listener = unsafe { TcpListener::from_raw_fd(fd) };
        let addr = listener.local_addr().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("descriptor {fd} is not the cell's listener: {e}"),
            )
        })?;
        Ok(Session {
            listener,
            siblings: Mutex::new(Vec::new()),
            addr,
            generator: None,
            generator_pid: None,
            options: Options {
                threads: 1,
                cpus: None,
            },
            server_cpu,
        })
    }

    /// The cell's listener, in blocking mode: blocking servers accept on it.
    pub fn listener(&self) -> &TcpListener {
        &self.listener
    }

    /// A new descriptor for the listener, for an async runtime to adopt for one
    /// sample (it sets the shared socket non-blocking, as every async cell wants).
    pub fn listener_clone(&self) -> TcpListener {
        self.listener
            .try_clone()
            .unwrap_or_else(|e| panic!("cannot duplicate the listener on {}: {e}", self.addr))
    }

    /// A new descriptor for core `core`'s own listener on the cell's port, for a
    /// thread-per-core server: core 0 takes the cell's listener, every other core a
    /// socket of its own bound to the same address with `SO_REUSEPORT`, among which
    /// the kernel hashes new connections (as pingora and many proxies listen).
    ///
    /// The sockets are bound once per cell, at a core's first call, and kept open
    /// until the cell ends; each sample adopts a duplicate. So a runtime that closes
    /// its descriptor late (io_uring runtimes queue the close until their next
    /// submit) never leaves a socket of its own in the port's group to take, and
    /// reset, the next sample's connections.
    pub fn core_listener(&self, core: usize) -> io::Result<TcpListener> {
        if core == 0 {
            return self.listener.try_clone();
        }
        let mut siblings = self.siblings.lock().unwrap_or_else(|e| e.into_inner());
        while siblings.len() < core {
            let which = siblings.len() + 1;
            let sibling = bind_reusable(self.addr).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "core {which} cannot listen on {} (SO_REUSEPORT): {e}",
                        self.addr
                    ),
                )
            })?;
            siblings.push(sibling);
        }
        siblings[core - 1].try_clone()
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The generator's process id; `None` in a worker process.
    pub fn generator_pid(&self) -> Option<u32> {
        self.generator_pid
    }

    /// How the generator runs.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The server's CPU time so far, seconds (the harness's clock).
    pub fn server_cpu_s(&self) -> f64 {
        (self.server_cpu)()
    }

    /// Hands `plan` to the generator, which starts on it at once; `None` in a worker
    /// process, which serves what its cell hands it and drives nothing.
    pub fn start(&self, plan: &Plan) -> Option<Drive<'_>> {
        let generator = self.generator.as_ref()?;
        generator
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .start(plan)
            .unwrap_or_else(|e| panic!("cannot hand the load generator its plan: {e}"));
        Some(Drive { generator })
    }
}

/// A plan in progress on the generator; [`Drive::finish`] waits for its report.
pub struct Drive<'a> {
    // Not a guard held across the server's awaits: a guard is not `Send`, and the
    // cell runs one body at a time anyway.
    generator: &'a Mutex<Generator>,
}

impl Drive<'_> {
    /// The generator's report of the plan. Panics with the generator's own error (a
    /// wrong byte, a refused connection, its time limit), which fails the cell.
    pub fn finish(self) -> Report {
        self.generator
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .finish()
            // The generator's message already names itself, the step and the server.
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Clears the close-on-exec flag, so processes this one starts inherit `listener`.
fn inheritable(listener: &TcpListener) -> io::Result<()> {
    let fd = listener.as_raw_fd();
    // SAFETY: F_GETFD/F_SETFD on a descriptor this process owns; no memory is passed.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
