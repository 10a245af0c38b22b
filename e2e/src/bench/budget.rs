//! The API budget benchmark: registering and deregistering many targets while health pollers
//! compete for the same account's ELB buckets, and a neighbour (another tool in the account)
//! makes a slow, steady stream of Describe calls.
//!
//! The simulator enforces ELB's published per-account buckets. Three clients do the same work:
//! - `governed`: lbgate's governor over the SDK adapter (priorities, reserves, AIMD, its share of
//!   the account budget);
//! - `governed-no-pollers`: the same without pollers, the baseline for "polling never starves
//!   registration";
//! - `naive`: the AWS SDK with its standard retry mode (3 attempts) and no budget, as a controller
//!   without client-side limits would call it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use lbgate_elbv2::{
    AwsClientConfig, CallOptions, CreateTargetGroupSpec, Elbv2Metrics, Governed, Governor,
    GovernorConfig, Priority, Protocol, SdkElbv2, Target, TargetGroupsApi, TargetType, TargetsApi,
};
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};
use serde::Serialize;

/// AWS's default quota of targets per target group.
const TARGETS_PER_GROUP: usize = 1000;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct BudgetParams {
    /// Targets registered, then deregistered, in chunks of 200.
    pub targets: usize,
    /// Concurrent health pollers, each on its own target group.
    pub pollers: usize,
    /// The neighbour's steady Describe rate, calls per second.
    pub neighbour_rate: f64,
}

impl Default for BudgetParams {
    fn default() -> Self {
        Self {
            targets: 4000,
            pollers: 4,
            neighbour_rate: 4.0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BudgetRun {
    pub client: &'static str,
    /// Wall time to register and then deregister every target.
    pub seconds: f64,
    /// Register/deregister chunks that failed for good (targets left behind or missing).
    pub failed_chunks: u64,
    /// Register/deregister chunks in all.
    pub chunks: u64,
    /// Attempts the simulator answered with `Throttling`, over all actions of this client.
    pub throttled_attempts: u64,
    /// Health polls that succeeded, and that failed for good.
    pub polls_ok: u64,
    pub polls_failed: u64,
    /// The neighbour's calls during the run, and how many of them AWS throttled.
    pub neighbour_calls: u64,
    pub neighbour_throttled: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BudgetReport {
    pub params: BudgetParams,
    pub runs: Vec<BudgetRun>,
}

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Governed,
    GovernedNoPollers,
    Naive,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Governed => "governed",
            Variant::GovernedNoPollers => "governed-no-pollers",
            Variant::Naive => "naive",
        }
    }
}

pub async fn run(params: BudgetParams) -> anyhow::Result<BudgetReport> {
    let mut runs = Vec::new();
    for variant in [
        Variant::GovernedNoPollers,
        Variant::Governed,
        Variant::Naive,
    ] {
        runs.push(run_variant(params, variant).await?);
    }
    Ok(BudgetReport { params, runs })
}

/// A raw SDK client against the simulator with the given retry policy.
async fn raw_client(sim: &Elbv2Sim, retry: aws_config::retry::RetryConfig) -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(sim.endpoint_url())
        .region(aws_config::Region::new(sim.region().to_owned()))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "bench",
        ))
        .retry_config(retry)
        .load()
        .await;
    Client::new(&config)
}

fn targets(count: usize, third_octet_base: usize) -> Vec<Target> {
    (0..count)
        .map(|i| {
            let host = i % 250 + 1;
            let net = third_octet_base + i / 250;
            Target::new(format!("10.0.{net}.{host}"), 8080)
        })
        .collect()
}

async fn run_variant(params: BudgetParams, variant: Variant) -> anyhow::Result<BudgetRun> {
    let sim = Elbv2Sim::start(SimConfig::default()).await?;
    let sdk = SdkElbv2::new(
        AwsClientConfig {
            region: Some(sim.region().to_owned()),
            endpoint_url: Some(sim.endpoint_url()),
            ..AwsClientConfig::default()
        }
        .with_static_credentials("testing", "testing"),
    )
    .await;
    let registry = prometheus::Registry::new();
    let metrics = Elbv2Metrics::register(&registry)?;
    let governor = Arc::new(Governor::with_metrics(GovernorConfig::default(), metrics));
    let api = Arc::new(Governed::new(sdk, governor));
    let opts = |priority| CallOptions::new(priority).with_timeout(Duration::from_secs(120));

    // Set-up, unmeasured: groups to fill (AWS allows 1000 targets per group), one small group per
    // poller.
    let work_groups = params.targets.div_ceil(TARGETS_PER_GROUP).max(1);
    let mut group_arns = Vec::new();
    for i in 0..work_groups + params.pollers {
        let tg = api
            .create_target_group(
                CreateTargetGroupSpec {
                    name: format!("bench-{i}"),
                    protocol: Some(Protocol::Http),
                    port: Some(8080),
                    vpc_id: Some(sim.default_vpc_id()),
                    target_type: Some(TargetType::Ip),
                    ..CreateTargetGroupSpec::default()
                },
                opts(Priority::Mutate),
            )
            .await?;
        if i >= work_groups {
            api.register_targets(
                tg.arn.clone(),
                targets(20, 200 + i),
                opts(Priority::Register),
            )
            .await?;
        }
        group_arns.push(tg.arn);
    }
    let (work_arns, poll_arns) = group_arns.split_at(work_groups);
    // Each work group gets its share of the targets.
    let all = targets(params.targets, 1);
    let work: Vec<(String, Vec<Target>)> = work_arns
        .iter()
        .cloned()
        .zip(all.chunks(TARGETS_PER_GROUP).map(<[Target]>::to_vec))
        .collect();
    // Let the buckets refill so every variant starts from the same budget.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let before = sim.call_counts();

    let done = Arc::new(AtomicBool::new(false));
    let polls_ok = Arc::new(AtomicU64::new(0));
    let polls_failed = Arc::new(AtomicU64::new(0));
    let naive = raw_client(&sim, aws_config::retry::RetryConfig::standard()).await;

    let mut pollers = Vec::new();
    if variant != Variant::GovernedNoPollers {
        for arn in poll_arns {
            let (arn, done, ok, failed) = (
                arn.clone(),
                done.clone(),
                polls_ok.clone(),
                polls_failed.clone(),
            );
            let (api, naive) = (api.clone(), naive.clone());
            pollers.push(tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    let result = if variant == Variant::Naive {
                        naive
                            .describe_target_health()
                            .target_group_arn(&arn)
                            .send()
                            .await
                            .map(|_| ())
                            .map_err(|_| ())
                    } else {
                        api.describe_target_health(
                            arn.clone(),
                            None,
                            CallOptions::new(Priority::DescribeHealth)
                                .with_timeout(Duration::from_secs(30)),
                        )
                        .await
                        .map(|_| ())
                        .map_err(|_| ())
                    };
                    let counter = if result.is_ok() { &ok } else { &failed };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
    }

    // The neighbour: another tool in the account, no retries, a steady trickle of describes.
    let neighbour_client = raw_client(&sim, aws_config::retry::RetryConfig::disabled()).await;
    let neighbour_calls = Arc::new(AtomicU64::new(0));
    let neighbour_throttled = Arc::new(AtomicU64::new(0));
    let neighbour = {
        let (done, calls, throttled) = (
            done.clone(),
            neighbour_calls.clone(),
            neighbour_throttled.clone(),
        );
        let period = Duration::from_secs_f64(1.0 / params.neighbour_rate.max(0.1));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            while !done.load(Ordering::Relaxed) {
                tick.tick().await;
                calls.fetch_add(1, Ordering::Relaxed);
                if neighbour_client
                    .describe_load_balancers()
                    .send()
                    .await
                    .is_err()
                {
                    throttled.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    let started = Instant::now();
    let (chunks, failed_chunks, successes) = if variant == Variant::Naive {
        naive_register_cycle(&naive, &work).await
    } else {
        governed_register_cycle(api.as_ref(), &work).await
    };
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    for poller in pollers {
        let _ = poller.await;
    }
    let _ = neighbour.await;

    let after = sim.call_counts();
    let attempts = |action: &str| {
        after.get(action).copied().unwrap_or(0) - before.get(action).copied().unwrap_or(0)
    };
    // No other fault is injected, so every attempt that did not succeed was throttled.
    let register_attempts = attempts("RegisterTargets") + attempts("DeregisterTargets");
    let poll_attempts = attempts("DescribeTargetHealth");
    let ok = polls_ok.load(Ordering::Relaxed);
    let throttled_attempts =
        register_attempts.saturating_sub(successes) + poll_attempts.saturating_sub(ok);
    let report = BudgetRun {
        client: variant.name(),
        seconds,
        failed_chunks,
        chunks,
        throttled_attempts,
        polls_ok: ok,
        polls_failed: polls_failed.load(Ordering::Relaxed),
        neighbour_calls: neighbour_calls.load(Ordering::Relaxed),
        neighbour_throttled: neighbour_throttled.load(Ordering::Relaxed),
    };
    sim.shutdown().await?;
    Ok(report)
}

/// Registers then deregisters every group's targets through the governor, groups concurrently:
/// (chunks, failed chunks, successful calls).
async fn governed_register_cycle(
    api: &dyn TargetsApi,
    work: &[(String, Vec<Target>)],
) -> (u64, u64, u64) {
    let opts = |priority| CallOptions::new(priority).with_timeout(Duration::from_secs(300));
    let mut chunks = 0;
    let mut failed = 0;
    for priority in [Priority::Register, Priority::Deregister] {
        let calls = work.iter().map(|(arn, targets)| async move {
            let outcome = if priority == Priority::Register {
                api.register_targets(arn.clone(), targets.clone(), opts(priority))
                    .await
            } else {
                api.deregister_targets(arn.clone(), targets.clone(), opts(priority))
                    .await
            };
            (targets.len(), outcome)
        });
        for (count, outcome) in futures::future::join_all(calls).await {
            let (c, f) = chunk_tally(count, outcome);
            chunks += c;
            failed += f;
        }
    }
    (chunks, failed, chunks - failed)
}

/// (chunks, failed chunks) of one batch call.
fn chunk_tally(
    count: usize,
    outcome: Result<lbgate_elbv2::TargetBatchOutcome, lbgate_elbv2::Elbv2Error>,
) -> (u64, u64) {
    match outcome {
        Ok(outcome) => (
            outcome.chunks.len() as u64,
            outcome
                .chunks
                .iter()
                .filter(|c| !matches!(c.status, lbgate_elbv2::ChunkStatus::Landed))
                .count() as u64,
        ),
        Err(_) => {
            let n = count.div_ceil(lbgate_elbv2::TARGETS_PER_CALL) as u64;
            (n, n)
        }
    }
}

/// The same work with the plain SDK: every chunk sent at once, as an unbudgeted controller would.
async fn naive_register_cycle(client: &Client, work: &[(String, Vec<Target>)]) -> (u64, u64, u64) {
    let mut chunks = 0;
    let mut failed = 0;
    for register in [true, false] {
        let batches = work.iter().flat_map(|(arn, targets)| {
            targets
                .chunks(lbgate_elbv2::TARGETS_PER_CALL)
                .map(move |chunk| (arn, chunk))
        });
        let calls = batches.map(|(arn, chunk)| {
            let descriptions: Vec<TargetDescription> = chunk
                .iter()
                .map(|t| {
                    TargetDescription::builder()
                        .id(&t.id)
                        .set_port(t.port.map(i32::from))
                        .build()
                })
                .collect();
            let client = client.clone();
            let arn = arn.to_owned();
            async move {
                if register {
                    client
                        .register_targets()
                        .target_group_arn(arn)
                        .set_targets(Some(descriptions))
                        .send()
                        .await
                        .is_ok()
                } else {
                    client
                        .deregister_targets()
                        .target_group_arn(arn)
                        .set_targets(Some(descriptions))
                        .send()
                        .await
                        .is_ok()
                }
            }
        });
        for ok in futures::future::join_all(calls).await {
            chunks += 1;
            if !ok {
                failed += 1;
            }
        }
    }
    (chunks, failed, chunks - failed)
}

/// The report as a Markdown table (also used for the README).
pub fn table(report: &BudgetReport) -> String {
    let mut out = String::from(
        "| client | register+deregister (s) | failed chunks | throttled attempts | health polls ok / failed | neighbour throttled |\n|---|---|---|---|---|---|\n",
    );
    for r in &report.runs {
        out.push_str(&format!(
            "| {} | {:.1} | {} / {} | {} | {} / {} | {} / {} |\n",
            r.client,
            r.seconds,
            r.failed_chunks,
            r.chunks,
            r.throttled_attempts,
            r.polls_ok,
            r.polls_failed,
            r.neighbour_throttled,
            r.neighbour_calls,
        ));
    }
    out
}
