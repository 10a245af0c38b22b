//! The request pipeline shared by the HTTP server and the in-process API: count the call,
//! apply the rate buckets, injected faults and latency, then run the operation on the model.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use lbgate_sim_clock::{Clock, SimRng};

use super::SimConfig;
use super::errors::ApiError;
use super::faults::FaultBook;
use super::journal::Journal;
use super::model::{ModelConfig, Timing};
use super::ops;
use super::query::Params;
use super::state::SimState;
use super::throttle::Throttler;

/// State behind one simulator.
#[derive(Debug)]
pub struct Shared {
    pub region: String,
    pub account_id: String,
    pub state: Arc<SimState>,
    faults: Mutex<FaultBook>,
    throttler: Mutex<Throttler>,
    calls: Mutex<BTreeMap<String, u64>>,
    journal: Journal,
    request_ids: Mutex<SimRng>,
}

/// A successful answer: the action and the inner XML of its `…Result` element.
pub type Answer = (String, String);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn new(config: &SimConfig, clock: Arc<dyn Clock>) -> Self {
        let model_config = ModelConfig {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            timing: Timing {
                nlb_registration_lag: config.nlb_registration_lag,
                alb_registration_lag: config.alb_registration_lag,
                eventual_consistency: config.eventual_consistency,
                load_balancer_provisioning: config.load_balancer_provisioning,
            },
            limits: config.limits,
            default_health: config.default_health,
            seed: config.seed,
        };
        Self {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            state: Arc::new(SimState::new(&model_config, clock)),
            faults: Mutex::new(FaultBook::new(config.seed)),
            throttler: Mutex::new(Throttler::new(config.throttle, Instant::now())),
            calls: Mutex::new(BTreeMap::new()),
            journal: Journal::default(),
            request_ids: Mutex::new(SimRng::new(config.seed, 3)),
        }
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultBook> {
        lock(&self.faults)
    }

    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.calls).clone()
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn next_request_id(&self) -> String {
        lock(&self.request_ids).uuid()
    }

    /// Runs one Query request.
    pub async fn handle(&self, params: &Params) -> Result<Answer, ApiError> {
        let result = self.serve(params).await;
        self.journal.record(params, &result, self.state.now());
        result
    }

    async fn serve(&self, params: &Params) -> Result<Answer, ApiError> {
        let action = params
            .get("Action")
            .ok_or_else(ApiError::missing_action)?
            .to_owned();
        *lock(&self.calls).entry(action.clone()).or_insert(0) += 1;
        if !ops::is_known(&action) {
            return Err(ApiError::invalid_action(&action));
        }
        if !lock(&self.throttler).try_acquire(&action, Instant::now()) {
            return Err(ApiError::throttling());
        }
        let decision = self.faults().decide(&action);
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        if let Some(error) = decision.error {
            return Err(error);
        }
        let body = self
            .state
            .with_model(|model, now| ops::dispatch(&action, params, model, now))?;
        Ok((action, body))
    }
}
