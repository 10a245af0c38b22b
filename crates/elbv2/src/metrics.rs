//! Prometheus metrics of the ELBv2 client, registered into a registry the caller owns. Every
//! attempt counts: a call retried three times adds four to `calls_total`.

use std::time::Duration;

use prometheus::{GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

use crate::error::Elbv2Error;
use crate::operation::{ApiClass, Operation, Priority};

/// Metric name prefix, owned by `lbgate-api` with every other string lbgate exposes.
pub use lbgate_api::consts::METRIC_PREFIX;

const CALL_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
const WAIT_BUCKETS: &[f64] = &[
    0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Handles to the ELBv2 metrics. Cheap to clone (the underlying vectors are shared).
#[derive(Debug, Clone)]
pub struct Elbv2Metrics {
    calls: IntCounterVec,
    errors: IntCounterVec,
    duration: HistogramVec,
    throttles: IntCounterVec,
    retries: IntCounterVec,
    budget_wait: HistogramVec,
    budget_rate: GaugeVec,
}

fn registration_error(err: prometheus::Error) -> Elbv2Error {
    Elbv2Error::MetricsRegistration {
        message: err.to_string(),
        source: Some(std::sync::Arc::new(err)),
    }
}

fn name(suffix: &str) -> String {
    format!("{METRIC_PREFIX}{suffix}")
}

impl Elbv2Metrics {
    /// Creates the metrics and registers them into `registry`.
    pub fn register(registry: &Registry) -> Result<Self, Elbv2Error> {
        let calls = IntCounterVec::new(
            Opts::new(
                name("aws_api_calls_total"),
                "ELBv2 API requests sent, every attempt included.",
            ),
            &["operation"],
        )
        .map_err(registration_error)?;
        let errors = IntCounterVec::new(
            Opts::new(
                name("aws_api_errors_total"),
                "ELBv2 API attempts that failed, by AWS error code (or lbgate category).",
            ),
            &["operation", "code"],
        )
        .map_err(registration_error)?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                name("aws_api_call_duration_seconds"),
                "Duration of one ELBv2 API attempt.",
            )
            .buckets(CALL_BUCKETS.to_vec()),
            &["operation"],
        )
        .map_err(registration_error)?;
        let throttles = IntCounterVec::new(
            Opts::new(
                name("aws_api_throttles_total"),
                "ELBv2 API attempts answered with Throttling.",
            ),
            &["operation"],
        )
        .map_err(registration_error)?;
        let retries = IntCounterVec::new(
            Opts::new(
                name("aws_api_retries_total"),
                "ELBv2 API attempts that were retries of an earlier attempt.",
            ),
            &["operation"],
        )
        .map_err(registration_error)?;
        let budget_wait = HistogramVec::new(
            HistogramOpts::new(
                name("aws_api_budget_wait_seconds"),
                "Time a call waited for a token of lbgate's API budget.",
            )
            .buckets(WAIT_BUCKETS.to_vec()),
            &["class", "priority"],
        )
        .map_err(registration_error)?;
        let budget_rate = GaugeVec::new(
            Opts::new(
                name("aws_api_budget_rate"),
                "Current refill rate of lbgate's API budget per class (tokens/s, after AIMD).",
            ),
            &["class"],
        )
        .map_err(registration_error)?;

        registry
            .register(Box::new(calls.clone()))
            .map_err(registration_error)?;
        registry
            .register(Box::new(errors.clone()))
            .map_err(registration_error)?;
        registry
            .register(Box::new(duration.clone()))
            .map_err(registration_error)?;
        registry
            .register(Box::new(throttles.clone()))
            .map_err(registration_error)?;
        registry
            .register(Box::new(retries.clone()))
            .map_err(registration_error)?;
        registry
            .register(Box::new(budget_wait.clone()))
            .map_err(registration_error)?;
        registry
            .register(Box::new(budget_rate.clone()))
            .map_err(registration_error)?;

        Ok(Self {
            calls,
            errors,
            duration,
            throttles,
            retries,
            budget_wait,
            budget_rate,
        })
    }

    pub(crate) fn call(&self, operation: Operation) {
        if let Ok(counter) = self
            .calls
            .get_metric_with_label_values(&[operation.as_str()])
        {
            counter.inc();
        }
    }

    pub(crate) fn error(&self, operation: Operation, err: &Elbv2Error) {
        if let Ok(counter) = self
            .errors
            .get_metric_with_label_values(&[operation.as_str(), err.code()])
        {
            counter.inc();
        }
        if err.is_throttle()
            && let Ok(counter) = self
                .throttles
                .get_metric_with_label_values(&[operation.as_str()])
        {
            counter.inc();
        }
    }

    pub(crate) fn duration(&self, operation: Operation, elapsed: Duration) {
        if let Ok(histogram) = self
            .duration
            .get_metric_with_label_values(&[operation.as_str()])
        {
            histogram.observe(elapsed.as_secs_f64());
        }
    }

    pub(crate) fn retry(&self, operation: Operation) {
        if let Ok(counter) = self
            .retries
            .get_metric_with_label_values(&[operation.as_str()])
        {
            counter.inc();
        }
    }

    pub(crate) fn budget_wait(&self, class: ApiClass, priority: Priority, waited: Duration) {
        if let Ok(histogram) = self
            .budget_wait
            .get_metric_with_label_values(&[class.as_str(), priority.as_str()])
        {
            histogram.observe(waited.as_secs_f64());
        }
    }

    pub(crate) fn budget_rate(&self, class: ApiClass, rate: f64) {
        if let Ok(gauge) = self
            .budget_rate
            .get_metric_with_label_values(&[class.as_str()])
        {
            gauge.set(rate);
        }
    }
}

#[cfg(test)]
mod tests;
