//! Building the AWS SDK client.
//!
//! Credentials come from aws-config's default chain (`DefaultCredentialsChain`), in this order:
//! 1. environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
//! 2. shared config/credentials files (`~/.aws/config`, `~/.aws/credentials`, `AWS_PROFILE`);
//! 3. web identity token — IRSA on EKS (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`,
//!    exchanged through STS `AssumeRoleWithWebIdentity`);
//! 4. container credentials — ECS task roles and EKS Pod Identity
//!    (`AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`);
//! 5. EC2 instance profile through IMDSv2.
//!
//! Region: explicit, else aws-config's chain (`AWS_REGION` / `AWS_DEFAULT_REGION`, profile,
//! IMDS). Endpoint: explicit, else aws-config reads `AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`
//! and `AWS_ENDPOINT_URL` itself. SDK retries are disabled: the governor owns retries and must
//! see every `Throttling` answer.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::config::Region;

/// Largest `PageSize` ELBv2's paginated describe actions accept.
pub const MAX_PAGE_SIZE: i32 = 400;

/// How to reach ELBv2. `Default` resolves everything from the environment.
#[derive(Debug, Clone)]
pub struct AwsClientConfig {
    /// e.g. `us-west-2`; `None` = environment, profile or IMDS.
    pub region: Option<String>,
    /// e.g. a simulator's `http://127.0.0.1:PORT`; `None` = `AWS_ENDPOINT_URL*` or the AWS default.
    pub endpoint_url: Option<String>,
    /// Explicit credentials (tests, simulators); `None` = the default chain described above.
    pub credentials: Option<SharedCredentialsProvider>,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Bound on one HTTP attempt.
    pub attempt_timeout: Duration,
    /// Bound on one SDK operation (with retries disabled, about one attempt plus credential
    /// resolution).
    pub operation_timeout: Duration,
    /// `PageSize` for paginated describes (1..=400).
    pub page_size: i32,
}

impl Default for AwsClientConfig {
    fn default() -> Self {
        Self {
            region: None,
            endpoint_url: None,
            credentials: None,
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(20),
            page_size: MAX_PAGE_SIZE,
        }
    }
}

impl AwsClientConfig {
    /// Static credentials, for simulators and tests.
    pub fn with_static_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        let credentials = Credentials::new(
            access_key_id.into(),
            secret_access_key.into(),
            None,
            None,
            "lbgate-static",
        );
        self.credentials = Some(SharedCredentialsProvider::new(credentials));
        self
    }
}

/// The AWS SDK adapter of the ELBv2 port. It ignores `CallOptions` (priority, deadline,
/// cancellation): each request is bounded by the timeouts above and sent once. Wrap it in
/// [`crate::Governed`] for budgeting, retries, deadlines and cancellation.
#[derive(Debug, Clone)]
pub struct SdkElbv2 {
    pub(crate) client: Client,
    pub(crate) page_size: i32,
}

impl SdkElbv2 {
    /// Resolves region, endpoint and credentials as described in the module docs. Nothing is
    /// sent here; credential problems surface on the first call.
    pub async fn new(config: AwsClientConfig) -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(config.connect_timeout)
            .operation_attempt_timeout(config.attempt_timeout)
            .operation_timeout(config.operation_timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts);
        if let Some(region) = config.region {
            loader = loader.region(Region::new(region));
        }
        if let Some(endpoint_url) = config.endpoint_url {
            loader = loader.endpoint_url(endpoint_url);
        }
        if let Some(credentials) = config.credentials {
            loader = loader.credentials_provider(credentials);
        }
        let sdk_config = loader.load().await;
        Self {
            client: Client::new(&sdk_config),
            page_size: config.page_size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// Wraps an existing SDK client (its retry and timeout settings are the caller's).
    pub fn from_client(client: Client, page_size: i32) -> Self {
        Self {
            client,
            page_size: page_size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// The underlying SDK client, for operations the port does not cover (tests use it to
    /// create load balancers).
    pub fn client(&self) -> &Client {
        &self.client
    }
}
