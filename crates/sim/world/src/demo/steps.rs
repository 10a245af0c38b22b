//! The story, step by step.

use super::text::*;
use super::*;

impl Demo<'_> {
    pub(super) async fn step_1_create(&mut self) -> Result<String, DemoError> {
        self.begin_step(1, "A target group behind an application load balancer")?;
        let arn = self.create_target_group("demo-pods").await?;
        self.sent("CreateLoadBalancer");
        let created = self
            .client
            .create_load_balancer()
            .name("demo-alb")
            .set_subnets(Some(self.sim.default_subnet_ids()))
            .send()
            .await
            .map_err(|e| Self::aws_error("CreateLoadBalancer", e))?;
        let lb = created.load_balancers().first();
        let lb_arn = lb
            .and_then(|lb| lb.load_balancer_arn())
            .unwrap_or_default()
            .to_owned();
        let dns = lb.and_then(|lb| lb.dns_name()).unwrap_or("?").to_owned();
        let state = lb
            .and_then(|lb| lb.state())
            .and_then(|s| s.code())
            .map_or("?", |c| c.as_str())
            .to_owned();
        let zones = lb.map_or(0, |lb| lb.availability_zones().len());
        self.say(format!(
            "CreateLoadBalancer demo-alb: application, {zones} zones, {state}, {dns}"
        ))?;
        self.sent("CreateListener");
        self.client
            .create_listener()
            .load_balancer_arn(&lb_arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(&arn)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| Self::aws_error("CreateListener", e))?;
        self.say("CreateListener HTTP:80 → forward to demo-pods")?;
        self.pace_describe().await;
        self.sent("DescribeTargetGroups");
        let described = self
            .client
            .describe_target_groups()
            .target_group_arns(&arn)
            .send()
            .await
            .map_err(|e| Self::aws_error("DescribeTargetGroups", e))?;
        let used_by: Vec<String> = described
            .target_groups()
            .iter()
            .flat_map(|tg| tg.load_balancer_arns().iter().cloned())
            .collect();
        self.expect(
            used_by == [lb_arn.clone()],
            "DescribeTargetGroups to show demo-pods in use by demo-alb",
            format!("LoadBalancerArns {used_by:?}"),
        )?;
        Ok(arn)
    }

    pub(super) async fn step_2_register(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(2, "Register three pods")?;
        let start = self.mark_start();
        self.register(arn, &PODS).await?;
        let keys: Vec<String> = PODS.iter().map(|ip| target_key(*ip)).collect();
        let expected_after = INTERVAL * HEALTHY_THRESHOLD;
        let bound = expected_after + SLACK;
        let reached = self
            .poll_until(arn, start + bound, |s| {
                keys.iter().all(|k| is(s, k, "healthy", None))
            })
            .await?;
        let expected_sequence = [
            ("initial", Some("Elb.RegistrationInProgress")),
            ("initial", Some("Elb.InitialHealthChecking")),
            ("healthy", None),
        ];
        let (sequences_ok, observed) = self.sequences(&keys, &expected_sequence);
        self.expect(
            sequences_ok,
            format!("each pod to go {}", sequence_text(&expected_sequence)),
            observed,
        )?;
        let took = reached.map(|at| at.saturating_sub(start));
        self.expect(
            took.is_some_and(|t| t >= expected_after && t <= bound),
            format!(
                "all three healthy after {HEALTHY_THRESHOLD} checks × {} = {} (seen within {})",
                secs(INTERVAL),
                secs(expected_after),
                secs(bound)
            ),
            took.map_or_else(
                || format!("not all healthy by {}", secs(bound)),
                |t| format!("all healthy after {}", secs(t)),
            ),
        )
    }

    /// Whether each target's sequence in the current step follows `expected`, and the observed
    /// sequences as text.
    pub(super) fn sequences(
        &self,
        keys: &[String],
        expected: &[(&str, Option<&str>)],
    ) -> (bool, String) {
        let Some(step) = self.step.as_ref() else {
            return (false, "no step".to_owned());
        };
        let mut ok = true;
        let mut text = String::new();
        for key in keys {
            let sequence = step.sequence_of(key);
            ok &= follows(&sequence, expected);
            if !text.is_empty() {
                text.push_str("; ");
            }
            let _ = write!(text, "{key}: {}", sequence_text(&sequence));
        }
        (ok, text)
    }

    pub(super) async fn step_3_fail_and_recover(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(3, "A pod stops answering health checks, then recovers")?;
        let [_, pod, _] = PODS;
        let key = target_key(pod);
        let start = self.mark_start();
        self.sim
            .set_health(IpAddr::V4(pod), Some(TARGET_PORT), HealthMode::Refusing);
        self.say(format!(
            "{key} now refuses connections (simulator control, not an AWS call)"
        ))?;
        let fails_after = INTERVAL * (UNHEALTHY_THRESHOLD - 1);
        let fail_bound = INTERVAL * UNHEALTHY_THRESHOLD + SLACK;
        let failed = self
            .poll_until(arn, start + fail_bound, |s| {
                is(s, &key, "unhealthy", Some("Target.FailedHealthChecks"))
            })
            .await?;
        let took = failed.map(|at| at.saturating_sub(start));
        self.expect(
            took.is_some_and(|t| t >= fails_after && t <= fail_bound),
            format!(
                "unhealthy / Target.FailedHealthChecks after {UNHEALTHY_THRESHOLD} failed checks, \
                 due {}–{} after the change (seen within {})",
                secs(fails_after),
                secs(INTERVAL * UNHEALTHY_THRESHOLD),
                secs(fail_bound)
            ),
            took.map_or_else(
                || format!("still not unhealthy at {}", secs(fail_bound)),
                |t| format!("unhealthy after {}", secs(t)),
            ),
        )?;

        let recovered_at = self.now();
        self.sim
            .set_health(IpAddr::V4(pod), Some(TARGET_PORT), HealthMode::Answering);
        self.say(format!("{key} answers health checks again"))?;
        let heals_after = INTERVAL * (HEALTHY_THRESHOLD - 1);
        let heal_bound = INTERVAL * HEALTHY_THRESHOLD + SLACK;
        let healed = self
            .poll_until(arn, recovered_at + heal_bound, |s| {
                is(s, &key, "healthy", None)
            })
            .await?;
        let took = healed.map(|at| at.saturating_sub(recovered_at));
        self.expect(
            took.is_some_and(|t| t >= heals_after && t <= heal_bound),
            format!(
                "healthy again after {HEALTHY_THRESHOLD} passed checks, due {}–{} after the \
                 change (seen within {})",
                secs(heals_after),
                secs(INTERVAL * HEALTHY_THRESHOLD),
                secs(heal_bound)
            ),
            took.map_or_else(
                || format!("still not healthy at {}", secs(heal_bound)),
                |t| format!("healthy after {}", secs(t)),
            ),
        )?;
        let expected_sequence = [
            ("unhealthy", Some("Target.FailedHealthChecks")),
            ("healthy", None),
        ];
        let keys: Vec<String> = PODS.iter().map(|ip| target_key(*ip)).collect();
        let others_quiet = self
            .step
            .as_ref()
            .is_some_and(|step| step.transitions.iter().all(|t| t.target == key));
        let (sequence_ok, observed) =
            self.sequences(std::slice::from_ref(&key), &expected_sequence);
        self.expect(
            sequence_ok && others_quiet,
            format!(
                "{key} to go {} while the other pods stay healthy",
                sequence_text(&expected_sequence)
            ),
            if others_quiet {
                observed
            } else {
                self.sequences(&keys, &[]).1
            },
        )
    }

    pub(super) async fn step_4_deregister(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(4, "Deregister a pod: connection draining")?;
        let [_, _, pod] = PODS;
        let key = target_key(pod);
        let start = self.mark_start();
        self.sent("DeregisterTargets");
        self.client
            .deregister_targets()
            .target_group_arn(arn)
            .targets(target(pod))
            .send()
            .await
            .map_err(|e| Self::aws_error("DeregisterTargets", e))?;
        self.say(format!("DeregisterTargets {key}"))?;
        let bound = DEREGISTRATION_DELAY + SLACK;
        let gone = self
            .poll_until(arn, start + bound, |s| !s.contains_key(&key))
            .await?;
        let expected_sequence = [
            ("draining", Some("Target.DeregistrationInProgress")),
            ("gone", None),
        ];
        let (sequence_ok, observed) =
            self.sequences(std::slice::from_ref(&key), &expected_sequence);
        let drained_first = self
            .step
            .as_ref()
            .is_some_and(|step| step.sequence_of(&key).first() == expected_sequence.first());
        self.expect(
            sequence_ok && drained_first,
            format!("{key} to go {}", sequence_text(&expected_sequence)),
            observed,
        )?;
        let took = gone.map(|at| at.saturating_sub(start));
        self.expect(
            took.is_some_and(|t| t >= DEREGISTRATION_DELAY && t <= bound),
            format!(
                "it drains for the {} deregistration delay (gone, seen within {})",
                secs(DEREGISTRATION_DELAY),
                secs(bound)
            ),
            took.map_or_else(
                || format!("still listed at {}", secs(bound)),
                |t| format!("gone after {}", secs(t)),
            ),
        )
    }

    pub(super) async fn step_5_unused(&mut self) -> Result<(), DemoError> {
        self.begin_step(5, "A target group no listener forwards to")?;
        let arn = self.create_target_group("demo-idle").await?;
        let start = self.mark_start();
        self.register(&arn, &IDLE).await?;
        let keys: Vec<String> = IDLE.iter().map(|ip| target_key(*ip)).collect();
        // Watch for a whole health-check interval: nothing checks these targets.
        let until = start + INTERVAL;
        let mut polls = 0_u32;
        let mut all_unused = true;
        loop {
            if let Some(snapshot) = self.poll(&arn).await? {
                polls += 1;
                all_unused &= keys
                    .iter()
                    .all(|k| is(&snapshot, k, "unused", Some("Target.NotInUse")))
                    && snapshot.len() == keys.len();
            }
            if self.now() >= until {
                break;
            }
        }
        let (_, observed) = self.sequences(&keys, &[]);
        self.expect(
            all_unused && polls > 0,
            format!(
                "both to read unused / Target.NotInUse for a whole {} interval",
                secs(INTERVAL)
            ),
            format!("{observed} ({polls} polls)"),
        )
    }

    pub(super) async fn step_6_throttle(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(6, "Throttling: ELB's Describe* bucket")?;
        // Polling took at most 10 tokens a second; one refill tick fills the bucket again.
        if let Some(last) = self.last_describe {
            self.say(format!(
                "(letting the bucket refill: {} ms of wall time since the last poll)",
                BUCKET_REFILL_WAIT.as_millis()
            ))?;
            tokio::time::sleep_until(last + BUCKET_REFILL_WAIT).await;
        }
        self.say(format!(
            "{BURST} DescribeTargetHealth calls at once (the bucket holds {DESCRIBE_BUCKET} and \
             refills 10 per second)"
        ))?;
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..BURST {
            let request = self.client.describe_target_health().target_group_arn(arn);
            calls.spawn(async move { request.send().await });
        }
        let mut report = ThrottleReport {
            sent: BURST,
            succeeded: 0,
            throttled: 0,
            other_errors: 0,
        };
        while let Some(joined) = calls.join_next().await {
            self.sent("DescribeTargetHealth");
            match joined {
                Ok(Ok(_)) => report.succeeded += 1,
                Ok(Err(error)) if error.code() == Some("Throttling") => report.throttled += 1,
                Ok(Err(_)) | Err(_) => report.other_errors += 1,
            }
        }
        self.last_describe = Some(Instant::now());
        self.say(format!(
            "{} succeeded, {} answered Throttling (\"Rate exceeded\"), {} other errors",
            report.succeeded, report.throttled, report.other_errors
        ))?;
        self.report.throttle = Some(report);
        self.expect(
            report.succeeded == DESCRIBE_BUCKET
                && report.throttled == BURST - DESCRIBE_BUCKET
                && report.other_errors == 0,
            format!(
                "{DESCRIBE_BUCKET} succeeded / {} throttled",
                BURST - DESCRIBE_BUCKET
            ),
            format!("{} / {}", report.succeeded, report.throttled),
        )
    }

    pub(super) fn step_7_summary(&mut self) -> Result<(), DemoError> {
        self.begin_step(7, "Summary")?;
        let counts = self.sim.call_counts();
        self.report.call_counts = counts.clone();
        self.line("            AWS calls the simulator received, by action:")?;
        for (action, count) in &counts {
            self.line(format!("              {action:<30} {count:>4}"))?;
        }
        let total: u64 = counts.values().sum();
        self.line(format!("              {:<30} {total:>4}", "total"))?;
        let sent = self.report.calls_sent.clone();
        self.expect(
            counts == sent,
            "the simulator to have counted exactly the calls the demo sent",
            if counts == sent {
                format!("{total} calls, all accounted for")
            } else {
                format!("received {counts:?}, sent {sent:?}")
            },
        )?;
        let sim = self.now();
        let wall = self.wall_start.elapsed();
        self.line(format!(
            "            {} of simulated time in {} of wall time",
            secs(sim),
            secs(wall)
        ))?;
        for paragraph in COMING_NEXT {
            self.line("")?;
            self.line(paragraph)?;
        }
        Ok(())
    }
}

const COMING_NEXT: [&str; 2] = [
    "Already in the tree, not yet in this story: a Kubernetes API server subset (`lbgate-sim serve`, \
     usable with kubectl), world controllers that run Deployments, pods and EndpointSlices, an ALB \
     data plane that routes traffic only to healthy targets, and the TargetGroupBinding controller \
     (`lbgate-controller`) with its webhooks. `lbgate-sim scenario \
     crates/sim/world/scenarios/rolling-update-without-gates.yaml` already shows the failure it \
     prevents: a rollout without readiness gates answering 502s.",
    "Coming next: this demo grows into a rollout told end to end: the real controller binary against \
     that world and this simulator, registering each pod's IP, holding its readiness gate until the \
     target is healthy, and a Deployment rollout that loses no request.",
];
