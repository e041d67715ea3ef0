//! Scale-out commands: `cluster init`, `cluster status`, `ingest --nats` (publish) and
//! `worker` (pull, annotate, store, acknowledge). The work itself is in `newsgraph_cluster`.
use crate::cli::InputOpts;
use anyhow::{Context, Result};
use newsgraph_cluster::metrics::{SharedCorpusReport, SharedReport};
use newsgraph_cluster::{ClusterConfig, CorpusOptions, Publisher, Stop, WorkerOptions};
use newsgraph_engine::Pipeline;
use newsgraph_ingest::Source;
use newsgraph_store::{CorpusWork, Store};
use serde::Serialize;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

/// `newsgraph cluster init`: the streams and the workers' durable consumer.
pub fn init(nats: &str, cfg: &ClusterConfig, json: bool) -> Result<ExitCode> {
    let report = runtime()?.block_on(async {
        let client = newsgraph_cluster::connect(nats).await?;
        newsgraph_cluster::init(&client, cfg).await
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "streams {} and consumers {} ready on {nats} ({} replica(s), max {} deliveries, ack wait {} s)",
            report.streams.join(", "),
            report.consumers.join(", "),
            report.replicas,
            cfg.max_deliver,
            cfg.ack_wait.as_secs()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `newsgraph cluster status`.
pub fn status(nats: &str, json: bool) -> Result<ExitCode> {
    let s = runtime()?.block_on(async {
        let client = newsgraph_cluster::connect(nats).await?;
        newsgraph_cluster::status(&client).await
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!(
            "stream:      {} articles ({} bytes) in {}",
            s.stream_messages,
            s.stream_bytes,
            newsgraph_cluster::ARTICLES_STREAM
        );
        println!("waiting:     {} not yet delivered", s.pending);
        println!("in progress: {} delivered, not acknowledged ({} redelivered)", s.ack_pending, s.redelivered);
        println!("idle pulls:  {}", s.waiting_pulls);
        for p in &s.processes {
            let lead = match p.leading {
                Some(true) => ", leading",
                Some(false) => ", standing by",
                None => "",
            };
            println!("{:<12} {} ({} articles, {:.1}/s{lead})", format!("{}:", p.role), p.name, p.done, p.per_second);
        }
        println!("throughput:  {:.1} articles/s (the workers' last heartbeats)", s.articles_per_second);
        if let Some(x) = s.extracted {
            println!("corpus:      {x} stored articles waiting in {}", newsgraph_cluster::EXTRACTED_STREAM);
        }
        println!("dead:        {} in {}", s.dead, newsgraph_cluster::DEAD_STREAM);
        if let Some(l) = &s.leader {
            println!("leader:      {l} (replicas: {})", s.replicas.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `ingest --nats` did.
#[derive(Debug, Default, Serialize)]
pub struct PublishSummary {
    pub read: u64,
    pub published: u64,
    /// Dropped by the stream: the same article was published before (within the window).
    pub repeats: u64,
    pub errors: u64,
    pub seconds: f64,
    pub articles_per_second: f64,
}

/// `newsgraph ingest --nats URL …`: reads the inputs (extracting HTML, feeds, …) and publishes
/// each article to the work stream; workers annotate and store them.
pub fn publish(nats: &str, inputs: &[String], opts: &InputOpts, json: bool) -> Result<ExitCode> {
    let options = super::ingest_options(opts);
    let started = Instant::now();
    let mut s = PublishSummary::default();
    runtime()?.block_on(async {
        let client = newsgraph_cluster::connect(nats).await?;
        let mut publisher = Publisher::new(&client);
        for input in inputs {
            let source = match Source::open(input, &options) {
                Ok(src) => src,
                Err(e) => {
                    eprintln!("newsgraph: skipped: {e}");
                    s.errors += 1;
                    if opts.strict {
                        break;
                    }
                    continue;
                }
            };
            for item in source {
                match item {
                    Ok(ing) => {
                        for w in &ing.warnings {
                            eprintln!("newsgraph: warning: {w}");
                        }
                        s.read += 1;
                        publisher.publish(&ing.document).await?;
                    }
                    Err(e) => {
                        eprintln!("newsgraph: skipped: {e}");
                        s.errors += 1;
                        if opts.strict {
                            break;
                        }
                    }
                }
            }
        }
        publisher.flush().await?;
        client.flush().await.context("flushing to NATS")?;
        s.published = publisher.published;
        s.repeats = publisher.repeats;
        anyhow::Ok(())
    })?;
    s.seconds = started.elapsed().as_secs_f64();
    s.articles_per_second = s.read as f64 / s.seconds.max(1e-9);
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!(
            "read {} articles: {} published to {}, {} repeats dropped by the stream; {} bad records skipped",
            s.read,
            s.published,
            newsgraph_cluster::ARTICLES_STREAM,
            s.repeats,
            s.errors
        );
        println!("{:.1} articles/s over {:.2} s", s.articles_per_second, s.seconds);
    }
    Ok(if s.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `newsgraph worker`: pulls batches until stopped (SIGTERM / Ctrl-C finish the batch in
/// hand, store and acknowledge it, then exit), or with `--exit-when-idle` until the work runs out.
pub fn worker(
    nats: &str,
    store: &mut dyn Store,
    opts: &WorkerOptions,
    metrics: Option<&str>,
    json: bool,
    quiet: bool,
) -> Result<ExitCode> {
    let pipeline = Pipeline::standard();
    let stop: Stop = Arc::new(AtomicBool::new(false));
    let shared: SharedReport = Arc::default();
    let rt = runtime()?;
    let report = rt.block_on(async {
        let render = newsgraph_cluster::metrics::render;
        let client = start(nats, metrics, shared.clone(), render, &stop, "worker").await?;
        let mut last = Instant::now();
        let report = newsgraph_cluster::run_worker(&client, store, &pipeline, opts, &stop, |r| {
            if let Ok(mut s) = shared.lock() {
                *s = r.clone();
            }
            if !quiet && last.elapsed() >= Duration::from_secs(5) {
                last = Instant::now();
                eprintln!(
                    "newsgraph worker: {} articles ({} new) in {} batches, {:.1} articles/s",
                    r.received, r.inserted, r.batches, r.articles_per_second
                );
            }
        })
        .await?;
        client.flush().await.context("flushing acknowledgements")?;
        anyhow::Ok(report)
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "worker: {} articles received ({} redelivered) in {} batches: {} new, {} updated, {} unchanged, {} duplicates; {} retried, {} dead-lettered",
            report.received,
            report.redeliveries,
            report.batches,
            report.inserted,
            report.updated,
            report.unchanged,
            report.duplicates,
            report.retried,
            report.dead
        );
        println!(
            "{:.1} articles/s over {:.2} s; the store now holds {} articles",
            report.articles_per_second,
            report.seconds,
            store.count()?
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `newsgraph corpus`: leads the corpus work or stands by until it can (SIGTERM / Ctrl-C
/// finish the batch in hand), or with `--exit-when-idle` until the extracted stream runs dry.
pub fn corpus(
    nats: &str,
    store: &mut dyn CorpusWork,
    opts: &CorpusOptions,
    metrics: Option<&str>,
    json: bool,
    quiet: bool,
) -> Result<ExitCode> {
    let stop: Stop = Arc::new(AtomicBool::new(false));
    let shared: SharedCorpusReport = Arc::default();
    let report = runtime()?.block_on(async {
        let render = newsgraph_cluster::metrics::render_corpus;
        let client = start(nats, metrics, shared.clone(), render, &stop, "corpus").await?;
        let (mut last, mut was_leading) = (Instant::now(), false);
        let report = newsgraph_cluster::run_corpus(&client, store, opts, &stop, |r| {
            if let Ok(mut s) = shared.lock() {
                *s = r.clone();
            }
            if let (false, true, false, Some(p)) = (quiet, r.leading, was_leading, r.prepared) {
                eprintln!(
                    "newsgraph corpus: leading the corpus work (after {:.1} s on standby); state rebuilt in {:.2} s: \
                     {} articles from the snapshot, {} replayed",
                    r.standby_seconds, p.seconds, p.restored, p.replayed
                );
            }
            was_leading = r.leading;
            if !quiet && r.leading && last.elapsed() >= Duration::from_secs(5) {
                last = Instant::now();
                eprintln!(
                    "newsgraph corpus: {} articles assigned, {:.1} per second",
                    r.assigned, r.articles_per_second
                );
            }
        })
        .await?;
        client.flush().await.context("flushing acknowledgements")?;
        anyhow::Ok(report)
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.leading {
        println!(
            "corpus: led after {:.1} s on standby; {} ids received in {} batches: {} assigned, {} already, {} missing; {} retried, {} dead-lettered",
            report.standby_seconds,
            report.received,
            report.batches,
            report.assigned,
            report.already,
            report.missing,
            report.retried,
            report.dead
        );
        println!(
            "{:.1} articles/s over {:.2} s; {} stored articles still wait",
            report.articles_per_second,
            report.seconds,
            store.corpus_backlog()?
        );
    } else {
        println!("corpus: stood by for {:.1} s; another process led", report.seconds);
    }
    Ok(ExitCode::SUCCESS)
}

/// What a worker or corpus process does first: serve its report at `metrics` (Prometheus
/// text made by `render`), connect to NATS, and set `stop` on SIGTERM / Ctrl-C.
async fn start<R: Clone + Default + Send + 'static>(
    nats: &str,
    metrics: Option<&str>,
    report: Arc<std::sync::Mutex<R>>,
    render: fn(&R, &str) -> String,
    stop: &Stop,
    role: &'static str,
) -> Result<newsgraph_cluster::async_nats::Client> {
    if let Some(addr) = metrics {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} for metrics"))?;
        let name = newsgraph_cluster::heartbeat::process_name();
        let text = move || render(&report.lock().map(|r| r.clone()).unwrap_or_default(), &name);
        tokio::spawn(newsgraph_cluster::metrics::serve(listener, text));
    }
    let client = newsgraph_cluster::connect(nats).await?;
    let flag = stop.clone();
    tokio::spawn(async move {
        newsgraph_server::shutdown_signal().await;
        eprintln!("newsgraph {role}: stopping after the batch in hand");
        flag.store(true, Ordering::SeqCst);
    });
    Ok(client)
}

/// What `bench cluster` measured.
#[derive(Debug, Serialize)]
pub struct ClusterBench {
    pub inputs: Vec<String>,
    pub articles: usize,
    pub workers: usize,
    pub store: String,
    /// Publishing every article to the work stream.
    pub publish_seconds: f64,
    /// From the workers' start until the stream was drained (all stored and acknowledged).
    pub wall_seconds: f64,
    /// Articles per second through the whole path (workers' start to drained).
    pub articles_per_second: f64,
    /// Per worker: articles per CPU-second of the worker processes (start-up included).
    pub worker_articles_per_cpu_second: f64,
    /// The same articles annotated and stored by one process into an embedded store.
    pub single_process_articles_per_cpu_second: f64,
    /// `worker_articles_per_cpu_second` / `single_process_articles_per_cpu_second`.
    pub worker_vs_single_process: f64,
    pub worker_peak_rss_mb: f64,
    /// On the shared store: articles per CPU-second of the one `newsgraph corpus` process.
    pub corpus_articles_per_cpu_second: Option<f64>,
}

/// A NATS server this process started for the bench, stopped on drop.
struct OwnNats {
    child: std::process::Child,
    dir: std::path::PathBuf,
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_own_nats() -> Result<(OwnNats, String)> {
    let exe = ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server"]
        .into_iter()
        .find(|p| std::process::Command::new(p).arg("--version").output().is_ok())
        .context("nats-server not found: install it (apt-get install nats-server) or pass --nats URL")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let dir = std::env::temp_dir().join(format!("newsgraph-bench-nats-{}", std::process::id()));
    let child = std::process::Command::new(exe)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting nats-server")?;
    let own = OwnNats { child, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            anyhow::bail!("nats-server did not start on port {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((own, format!("nats://127.0.0.1:{port}")))
}

/// `newsgraph bench cluster`: the articles of `inputs` (each `copies` times, as distinct
/// articles) published to the work stream and stored by `workers` worker processes; compared
/// with one process annotating and storing the same articles into an embedded store.
pub fn bench(
    inputs: &[String],
    copies: usize,
    workers: usize,
    nats: Option<&str>,
    store: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    use crate::usage;
    let workers = workers.max(1);
    let shared_store = store.is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"));
    if workers > 1 && !shared_store {
        anyhow::bail!(
            "{workers} workers need a shared store: pass --store postgres://… (the embedded store has one writer)"
        );
    }
    let docs = bench_documents(inputs, copies)?;
    let n = docs.len();
    let tmp = std::env::temp_dir().join(format!("newsgraph-bench-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);

    // One process, embedded store.
    let single = {
        let mut st = super::open_store(&tmp.join("single"))?;
        let pipeline = Pipeline::standard();
        let before = usage::now();
        for chunk in docs.chunks(64) {
            st.put_batch(pipeline.process_batch(chunk.to_vec()))?;
        }
        let cpu = (usage::now().cpu - before.cpu).as_secs_f64().max(1e-9);
        n as f64 / cpu
    };

    let (own, url) = match nats {
        Some(u) => (None, u.to_string()),
        None => {
            let (own, url) = start_own_nats()?;
            (Some(own), url)
        }
    };
    let store_spec = store.map(str::to_string).unwrap_or_else(|| tmp.join("cluster").display().to_string());
    let rt = runtime()?;
    let publish_seconds = rt.block_on(async {
        let client = newsgraph_cluster::connect(&url).await?;
        newsgraph_cluster::init(&client, &ClusterConfig::default()).await?;
        let st = newsgraph_cluster::status(&client).await?;
        if st.stream_messages > 0 {
            anyhow::bail!(
                "the work stream on {url} already holds {} articles; the bench needs it empty",
                st.stream_messages
            );
        }
        let started = Instant::now();
        let mut publisher = Publisher::new(&client);
        for d in &docs {
            publisher.publish(d).await?;
        }
        publisher.flush().await?;
        anyhow::Ok(started.elapsed().as_secs_f64())
    })?;

    let exe = std::env::current_exe()?;
    let before = usage::children();
    let started = Instant::now();
    let mut children = Vec::new();
    for _ in 0..workers {
        children.push(
            std::process::Command::new(&exe)
                .args(["worker", "--nats", &url, "--store", &store_spec, "--exit-when-idle", "1", "--json", "-q"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .context("starting a worker")?,
        );
    }
    // On the shared store the corpus work goes to one `newsgraph corpus` process.
    if shared_store {
        children.push(
            std::process::Command::new(&exe)
                .args(["corpus", "--nats", &url, "--store", &store_spec, "--exit-when-idle", "1", "--json", "-q"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .context("starting the corpus process")?,
        );
    }
    let wall = rt.block_on(async {
        let client = newsgraph_cluster::connect(&url).await?;
        loop {
            let s = newsgraph_cluster::status(&client).await?;
            let corpus_done = !shared_store || s.extracted == Some(0);
            if s.stream_messages == 0 && s.ack_pending == 0 && corpus_done {
                return anyhow::Ok(started.elapsed().as_secs_f64());
            }
            for c in children.iter_mut() {
                if let Some(status) = c.try_wait()? {
                    if !status.success() {
                        anyhow::bail!("a worker failed ({status})");
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let wall = match wall {
        Ok(w) => w,
        Err(e) => {
            for c in children.iter_mut() {
                let _ = c.kill();
                let _ = c.wait();
            }
            return Err(e);
        }
    };
    // Workers first (their CPU time), then the corpus process (its own).
    let corpus_child = if shared_store { children.pop() } else { None };
    for mut c in children {
        let status = c.wait()?;
        if !status.success() {
            anyhow::bail!("a worker failed ({status})");
        }
    }
    let after = usage::children();
    let corpus_cpu = match corpus_child {
        Some(mut c) => {
            let status = c.wait()?;
            if !status.success() {
                anyhow::bail!("the corpus process failed ({status})");
            }
            Some((usage::children().cpu - after.cpu).as_secs_f64().max(1e-9))
        }
        None => None,
    };
    drop(own);
    let _ = std::fs::remove_dir_all(&tmp);
    let worker_cpu = (after.cpu - before.cpu).as_secs_f64().max(1e-9);
    let per_worker = n as f64 / worker_cpu;
    let r = ClusterBench {
        inputs: inputs.to_vec(),
        articles: n,
        workers,
        store: if shared_store { "postgres".into() } else { "embedded".into() },
        publish_seconds,
        wall_seconds: wall,
        articles_per_second: n as f64 / wall.max(1e-9),
        worker_articles_per_cpu_second: per_worker,
        single_process_articles_per_cpu_second: single,
        worker_vs_single_process: per_worker / single,
        worker_peak_rss_mb: after.peak_rss_bytes as f64 / 1e6,
        corpus_articles_per_cpu_second: corpus_cpu.map(|c| n as f64 / c),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("articles                      {} ({} workers, {} store)", r.articles, r.workers, r.store);
        println!("publish                       {:.2} s", r.publish_seconds);
        println!(
            "workers' start to drained     {:.2} s = {:.1} articles / second",
            r.wall_seconds, r.articles_per_second
        );
        println!(
            "per worker                    {:.1} articles / CPU-second (start-up included)",
            r.worker_articles_per_cpu_second
        );
        println!("one process, embedded store   {:.1} articles / CPU-second", r.single_process_articles_per_cpu_second);
        println!("worker / one process          {:.0} %", 100.0 * r.worker_vs_single_process);
        println!("worker peak memory            {:.1} MB", r.worker_peak_rss_mb);
        if let Some(c) = r.corpus_articles_per_cpu_second {
            println!("corpus process                {c:.1} articles / CPU-second (one for all workers)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The inputs' articles, each `copies` times as distinct articles (own URL, one extra line).
fn bench_documents(inputs: &[String], copies: usize) -> Result<Vec<newsgraph_model::Document>> {
    let opts = newsgraph_ingest::IngestOptions::default();
    let mut base = Vec::new();
    for input in inputs {
        for item in Source::open(input, &opts).with_context(|| format!("reading {input}"))? {
            if let Ok(ing) = item {
                base.push(ing.document);
            }
        }
    }
    if base.is_empty() {
        anyhow::bail!("no article read from {inputs:?}");
    }
    let mut out = Vec::with_capacity(base.len() * copies.max(1));
    for k in 0..copies.max(1) {
        for d in &base {
            if k == 0 {
                out.push(d.clone());
                continue;
            }
            let mut meta = d.meta.clone();
            meta.url = Some(format!("{}?copy={k}", meta.url.as_deref().unwrap_or("https://bench.invalid/article")));
            let text = format!("{}\n\nUpdate {k}: this report was republished.", d.text());
            out.push(newsgraph_model::DocumentBuilder::new(&text).meta(meta).build());
        }
    }
    Ok(out)
}
