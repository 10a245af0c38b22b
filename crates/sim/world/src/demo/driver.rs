//! The demo's driver: narration, pacing of Describe calls under ELB's rate limit, polling and
//! expectations.

use super::text::*;
use super::*;

pub(super) struct Demo<'a> {
    pub(super) sim: &'a Elbv2Sim,
    pub(super) client: Client,
    pub(super) out: Box<dyn Write + Send>,
    pub(super) time_scale: f64,
    pub(super) wall_start: Instant,
    /// When the last `Describe*` call went out (wall time), for pacing.
    pub(super) last_describe: Option<Instant>,
    /// What each watched target group last showed, by ARN.
    pub(super) seen: BTreeMap<String, Snapshot>,
    pub(super) step: Option<StepReport>,
    pub(super) report: DemoReport,
}

impl<'a> Demo<'a> {
    pub(super) fn new(
        sim: &'a Elbv2Sim,
        client: Client,
        out: Box<dyn Write + Send>,
        time_scale: f64,
        wall_start: Instant,
    ) -> Self {
        Self {
            sim,
            client,
            out,
            time_scale,
            wall_start,
            last_describe: None,
            seen: BTreeMap::new(),
            step: None,
            report: DemoReport {
                time_scale,
                endpoint: sim.endpoint_url(),
                steps: Vec::new(),
                throttle: None,
                call_counts: BTreeMap::new(),
                calls_sent: BTreeMap::new(),
                throttled_polls: 0,
                sim_elapsed: Duration::ZERO,
                wall_elapsed: Duration::ZERO,
            },
        }
    }

    pub(super) fn finish(mut self) -> DemoReport {
        self.close_step();
        self.report.sim_elapsed = self.now();
        self.report.wall_elapsed = self.wall_start.elapsed();
        self.report
    }

    /// Simulated time since the simulator started.
    pub(super) fn now(&self) -> Duration {
        self.sim.state().now()
    }

    pub(super) fn line(&mut self, text: impl fmt::Display) -> Result<(), DemoError> {
        writeln!(self.out, "{text}")?;
        self.out.flush()?;
        Ok(())
    }

    /// A narration line stamped with the simulated time.
    pub(super) fn say(&mut self, text: impl fmt::Display) -> Result<(), DemoError> {
        let stamp = format!("[t=+{:.1}s]", self.now().as_secs_f64());
        self.line(format!("{stamp:<11} {text}"))
    }

    pub(super) fn sent(&mut self, action: &str) {
        *self.report.calls_sent.entry(action.to_owned()).or_default() += 1;
    }

    pub(super) fn begin_step(&mut self, number: u8, title: &str) -> Result<(), DemoError> {
        self.close_step();
        self.line("")?;
        self.line(format!("── {number}. {title}"))?;
        self.step = Some(StepReport {
            number,
            title: title.to_owned(),
            started_at: self.now(),
            transitions: Vec::new(),
            expectations: Vec::new(),
        });
        Ok(())
    }

    pub(super) fn close_step(&mut self) {
        if let Some(step) = self.step.take() {
            self.report.steps.push(step);
        }
    }

    /// Marks now as the origin of the current step's timing expectations.
    pub(super) fn mark_start(&mut self) -> Duration {
        let now = self.now();
        if let Some(step) = self.step.as_mut() {
            step.started_at = now;
        }
        now
    }

    /// Records an expectation; an unmet one ends the demo.
    pub(super) fn expect(
        &mut self,
        met: bool,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) -> Result<(), DemoError> {
        let (expected, observed) = (expected.into(), observed.into());
        let mark = if met { "✓" } else { "✗ NOT MET:" };
        self.line(format!(
            "            {mark} expected {expected}; observed {observed}"
        ))?;
        let expectation = Expectation {
            expected: expected.clone(),
            observed: observed.clone(),
            met,
        };
        let (step, title) = match self.step.as_mut() {
            Some(step) => {
                step.expectations.push(expectation);
                (step.number, step.title.clone())
            }
            None => (0, String::new()),
        };
        if met {
            return Ok(());
        }
        self.close_step();
        let mut report = self.report.clone();
        report.call_counts = self.sim.call_counts();
        report.sim_elapsed = self.now();
        report.wall_elapsed = self.wall_start.elapsed();
        Err(DemoError::Expectation {
            step,
            title,
            expected,
            observed,
            report: Box::new(report),
        })
    }

    pub(super) fn aws_error<E>(action: &'static str, error: E) -> DemoError
    where
        E: std::error::Error,
    {
        DemoError::Aws {
            action,
            message: DisplayErrorContext(error).to_string(),
        }
    }

    /// Wall time between two polls.
    pub(super) fn poll_spacing(&self) -> Duration {
        POLL_SPACING_REAL.max(POLL_SPACING_SIM.mul_f64(self.time_scale))
    }

    /// Waits until a `Describe*` call may go out without draining ELB's bucket, and notes it.
    pub(super) async fn pace_describe(&mut self) {
        let spacing = self.poll_spacing();
        if let Some(last) = self.last_describe {
            tokio::time::sleep_until(last + spacing).await;
        }
        self.last_describe = Some(Instant::now());
    }

    /// One paced DescribeTargetHealth poll of `arn`: narrates and records every change since the
    /// previous poll of that group. `None` when the poll was throttled.
    pub(super) async fn poll(&mut self, arn: &str) -> Result<Option<Snapshot>, DemoError> {
        self.pace_describe().await;
        self.sent("DescribeTargetHealth");
        let answer = self
            .client
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await;
        let at = self.now();
        let output = match answer {
            Ok(output) => output,
            Err(error) if error.code() == Some("Throttling") => {
                self.report.throttled_polls += 1;
                self.say("DescribeTargetHealth was throttled; polling again")?;
                return Ok(None);
            }
            Err(error) => return Err(Self::aws_error("DescribeTargetHealth", error)),
        };
        let mut snapshot = Snapshot::new();
        for description in output.target_health_descriptions() {
            let Some(target) = description.target() else {
                continue;
            };
            let key = format!(
                "{}:{}",
                target.id().unwrap_or("?"),
                target.port().unwrap_or_default()
            );
            let health = description.target_health();
            let state = health
                .and_then(|h| h.state())
                .map_or("?", |s| s.as_str())
                .to_owned();
            let reason = health
                .and_then(|h| h.reason())
                .map(|r| r.as_str().to_owned());
            snapshot.insert(key, (state, reason));
        }
        let before = self.seen.remove(arn).unwrap_or_default();
        let mut changes = Vec::new();
        for (key, health) in &snapshot {
            if before.get(key) != Some(health) {
                changes.push((key.clone(), health.clone()));
            }
        }
        for key in before.keys() {
            if !snapshot.contains_key(key) {
                changes.push((key.clone(), ("gone".to_owned(), None)));
            }
        }
        // In address order (10.0.65.11 before 10.0.129.12), not string order.
        changes.sort_by_key(|(key, _)| key.parse::<SocketAddr>().ok());
        for (key, (state, reason)) in changes {
            let shown = if state == "gone" {
                "gone (no longer listed)".to_owned()
            } else {
                health_text(&state, reason.as_deref())
            };
            self.line(format!(
                "{:<11} {key:<16} {shown}",
                format!("[t=+{:.1}s]", at.as_secs_f64())
            ))?;
            if let Some(step) = self.step.as_mut() {
                step.transitions.push(Transition {
                    at,
                    target: key,
                    state,
                    reason,
                });
            }
        }
        self.seen.insert(arn.to_owned(), snapshot.clone());
        Ok(Some(snapshot))
    }

    /// Polls `arn` until `done` holds (returning the simulated time of that answer) or the
    /// simulated `deadline` passes (`None`).
    pub(super) async fn poll_until(
        &mut self,
        arn: &str,
        deadline: Duration,
        done: impl Fn(&Snapshot) -> bool,
    ) -> Result<Option<Duration>, DemoError> {
        loop {
            let snapshot = self.poll(arn).await?;
            let at = self.now();
            if snapshot.as_ref().is_some_and(&done) {
                return Ok(Some(at));
            }
            if at >= deadline {
                return Ok(None);
            }
        }
    }

    pub(super) async fn tell(&mut self) -> Result<(), DemoError> {
        self.line("lbgate-sim demo: the ELBv2 target lifecycle, told through the real AWS SDK")?;
        self.line(format!(
            "ELBv2 simulator at {} ({}), time scale {} ({:.0}× faster than real time); \
             [t=+…] is simulated time",
            self.sim.endpoint_url(),
            self.sim.region(),
            self.time_scale,
            1.0 / self.time_scale
        ))?;
        let spacing = self.poll_spacing();
        self.line(format!(
            "Every step watches DescribeTargetHealth, polled every {:.1} simulated seconds ({} ms \
             of wall time: under ELB's Describe* refill of 10 calls a second)",
            spacing.as_secs_f64() / self.time_scale,
            spacing.as_millis()
        ))?;
        let arn = self.step_1_create().await?;
        self.step_2_register(&arn).await?;
        self.step_3_fail_and_recover(&arn).await?;
        self.step_4_deregister(&arn).await?;
        self.step_5_unused().await?;
        self.step_6_throttle(&arn).await?;
        self.step_7_summary()
    }

    /// Creates an HTTP:8080 ip target group with the demo's health checks, in the default VPC.
    pub(super) async fn create_target_group(&mut self, name: &str) -> Result<String, DemoError> {
        self.sent("CreateTargetGroup");
        let created = self
            .client
            .create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(i32::from(TARGET_PORT))
            .vpc_id(self.sim.default_vpc_id())
            .target_type(TargetTypeEnum::Ip)
            .health_check_path("/healthz")
            .health_check_interval_seconds(5)
            .health_check_timeout_seconds(2)
            .healthy_threshold_count(3)
            .unhealthy_threshold_count(2)
            .send()
            .await
            .map_err(|e| Self::aws_error("CreateTargetGroup", e))?;
        let arn = created
            .target_groups()
            .first()
            .and_then(|tg| tg.target_group_arn())
            .unwrap_or_default()
            .to_owned();
        self.say(format!(
            "CreateTargetGroup {name}: ip targets, HTTP:{TARGET_PORT}, GET /healthz every \
             {} s, healthy after {HEALTHY_THRESHOLD} passes, unhealthy after \
             {UNHEALTHY_THRESHOLD} failures",
            INTERVAL.as_secs()
        ))?;
        self.sent("ModifyTargetGroupAttributes");
        self.client
            .modify_target_group_attributes()
            .target_group_arn(&arn)
            .attributes(
                TargetGroupAttribute::builder()
                    .key("deregistration_delay.timeout_seconds")
                    .value(DEREGISTRATION_DELAY.as_secs().to_string())
                    .build(),
            )
            .send()
            .await
            .map_err(|e| Self::aws_error("ModifyTargetGroupAttributes", e))?;
        self.say(format!(
            "ModifyTargetGroupAttributes {name}: deregistration_delay.timeout_seconds={}",
            DEREGISTRATION_DELAY.as_secs()
        ))?;
        Ok(arn)
    }

    pub(super) async fn register(&mut self, arn: &str, ips: &[Ipv4Addr]) -> Result<(), DemoError> {
        self.sent("RegisterTargets");
        self.client
            .register_targets()
            .target_group_arn(arn)
            .set_targets(Some(ips.iter().copied().map(target).collect()))
            .send()
            .await
            .map_err(|e| Self::aws_error("RegisterTargets", e))?;
        let list = ips
            .iter()
            .map(|ip| target_key(*ip))
            .collect::<Vec<_>>()
            .join(", ");
        self.say(format!("RegisterTargets {list}"))
    }
}
