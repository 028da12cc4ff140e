"""Everything that runs ragplatform, as the seed's service table lists it, in ap-southeast-2.

Traffic: client --HTTPS--> API Gateway HTTP API --VPC link--> internal ALB --HTTP--> ECS
Fargate web tasks (private subnets) --> RDS PostgreSQL 16 (isolated subnets) and S3. A worker
service runs ingestion (`db_worker`); migrations run as a one-off task of the same image.
"""

import string

from aws_cdk import (
    Acknowledgment,
    CfnOutput,
    Duration,
    RemovalPolicy,
    SecretValue,
    Size,
    Stack,
    Validations,
)
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as apigw_integrations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IConstruct

from ragplatform_infra import names
from ragplatform_infra.config import PlatformConfig
from ragplatform_infra.github_deploy import GithubDeployRole
from ragplatform_infra.monitoring import Monitoring

# The seed's "IAM Policy for ECS Task Role (least privilege)", verbatim.
TASK_ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::rag-system-docs-prod/tenants/*",
        },
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": "arn:aws:secretsmanager:ap-southeast-2:*:secret:rag-system/*",
        },
        {
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel"],
            "Resource": "*",
        },
    ],
}

LOG_RETENTION = logs.RetentionDays.ONE_MONTH
HEALTH_CHECK_COMMAND = (
    "import urllib.request; "
    f"urllib.request.urlopen('http://127.0.0.1:{names.WEB_PORT}{names.HEALTH_PATH}', timeout=4)"
)


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Accept one cdk-nag AwsSolutions finding on a construct, with the reason on record."""
    Validations.of(construct).acknowledge(
        Acknowledgment(id=f"AwsSolutions::AwsSolutions-{rule}", reason=reason)
    )


class PlatformStack(Stack):
    """VPC, RDS, S3, secrets, ECS (web, worker, migrate), ALB, API Gateway, monitoring, CI role."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PlatformConfig, **kwargs
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self._network()
        self._storage()
        self._database()
        self._secrets()
        self._compute()
        self._edge()
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            api=self.api,
            load_balancer=self.load_balancer,
            target_group=self.target_group,
            web_service=self.web_service,
            worker_service=self.worker_service,
            database=self.database,
            alarm_email=config.alarm_email,
        )
        self.deploy_role = GithubDeployRole(
            self,
            "GithubDeploy",
            repository=config.github_repository,
            existing_provider_arn=config.github_oidc_provider_arn,
            image_repository=self.image_repository,
            cluster=self.cluster,
            services=[self.web_service, self.worker_service],
            passable_roles=[self.task_role, self.execution_role],
            image_tag_parameter_name=names.IMAGE_TAG_PARAMETER,
            migrate_log_group=self.log_groups["migrate"],
        )
        self._outputs()

    # -- network ---------------------------------------------------------------------------

    def _network(self) -> None:
        flow_log_group = self._log_group("flow")
        # public: the NAT gateway only. app: ECS tasks, ALB, VPC link (egress through one NAT
        # gateway, for OpenAI/Tavily and AWS APIs). data: RDS, no route out of the VPC at all.
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.40.0.0/16"),
            availability_zones=list(names.AVAILABILITY_ZONES),
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
                ),
                ec2.SubnetConfiguration(
                    name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
            # S3 through a free gateway endpoint: PDF traffic never pays NAT processing.
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
            flow_logs={
                "Rejected": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
                    traffic_type=ec2.FlowLogTrafficType.REJECT,
                )
            },
        )
        self.app_subnets = ec2.SubnetSelection(subnet_group_name="app")

        self.vpc_link_sg = ec2.SecurityGroup(
            self,
            "VpcLinkSecurityGroup",
            vpc=self.vpc,
            description="API Gateway VPC link: may only reach the ALB",
            allow_all_outbound=False,
        )
        self.alb_sg = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=self.vpc,
            description="Internal ALB: HTTP from the API Gateway VPC link only",
            allow_all_outbound=False,
        )
        self.app_sg = ec2.SecurityGroup(
            self,
            "AppSecurityGroup",
            vpc=self.vpc,
            description="ECS tasks (web, worker, migrate)",
            allow_all_outbound=False,
        )
        self.db_sg = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=self.vpc,
            description="RDS PostgreSQL: from the ECS tasks only",
            allow_all_outbound=False,
        )
        self.vpc_link_sg.connections.allow_to(self.alb_sg, ec2.Port.tcp(80), "VPC link to ALB")
        self.alb_sg.connections.allow_to(
            self.app_sg, ec2.Port.tcp(names.WEB_PORT), "ALB to web tasks"
        )
        self.app_sg.connections.allow_to(self.db_sg, ec2.Port.tcp(5432), "tasks to PostgreSQL")
        # HTTPS out: OpenAI, Tavily, Bedrock, Secrets Manager, ECR, CloudWatch Logs, S3.
        self.app_sg.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to APIs")

    # -- storage ---------------------------------------------------------------------------

    def _storage(self) -> None:
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(90))],
        )
        self.documents_bucket = s3.Bucket(
            self,
            "DocumentsBucket",
            bucket_name=names.DOCS_BUCKET,
            encryption=s3.BucketEncryption.S3_MANAGED,  # SSE-S3, AES-256
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="s3/rag-system-docs-prod/",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-old-versions",
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
        )

    # -- database --------------------------------------------------------------------------

    def _database(self) -> None:
        log_group = self._log_group("database")
        self.database = rds.DatabaseInstance(
            self,
            "Database",
            instance_identifier=names.DB_INSTANCE_ID,
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16_13),
            # db.t3.medium by default; `-c dbInstanceClass=t3.large` is the ">10 tenants" step.
            instance_type=ec2.InstanceType(self.config.db_instance_class),
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[self.db_sg],
            publicly_accessible=False,
            multi_az=False,
            allocated_storage=50,
            max_allocated_storage=200,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            backup_retention=Duration.days(7),
            preferred_backup_window="15:00-16:00",  # 01:00-02:00 AEST
            preferred_maintenance_window="sun:16:30-sun:17:30",
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            # Minor versions change by editing VER_16_13 here, so the template never drifts.
            auto_minor_version_upgrade=False,
            database_name=names.DB_NAME,
            credentials=rds.Credentials.from_generated_secret(
                "ragplatform",
                secret_name=names.DB_MASTER_SECRET,
                # Letters and digits only, so the password needs no escaping in DATABASE_URL.
                exclude_characters=string.punctuation + " ",
            ),
            cloudwatch_logs_exports=["postgresql"],
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
        )
        self.database.node.add_dependency(log_group)
        acknowledge(
            self.database,
            "RDS3",
            "Single-AZ as the seed sizes it (db.t3.medium, ~$55/month); Multi-AZ doubles the "
            "price. Recovery is from 7-day automated backups and point-in-time restore, as "
            "docs/deploy.md describes.",
        )
        acknowledge(
            self.database,
            "RDS11",
            "The default port 5432 is kept: the database is in isolated subnets and its "
            "security group admits only the ECS tasks, so a non-standard port adds nothing.",
        )
        acknowledge(
            self.database.node.find_child("Secret"),
            "SMG4",
            "Master password rotation must also rewrite rag-system/DATABASE_URL, so it is "
            "a documented runbook step (docs/deploy.md) rather than automatic rotation.",
        )

    # -- secrets ---------------------------------------------------------------------------

    def _secrets(self) -> None:
        def generated(construct_id: str, name: str, description: str, length: int):
            secret = secretsmanager.Secret(
                self,
                construct_id,
                secret_name=names.SECRET_PREFIX + name,
                description=description,
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    exclude_punctuation=True, include_space=False, password_length=length
                ),
            )
            return secret

        self.secrets: dict[str, secretsmanager.Secret] = {}
        self.secrets["OPENAI_API_KEY"] = generated(
            "OpenAiApiKey",
            "OPENAI_API_KEY",
            "OpenAI API key (plain string). Created with a random placeholder: put the real "
            "key with `aws secretsmanager put-secret-value` before the first deploy.",
            32,
        )
        self.secrets["ADMIN_API_KEY"] = generated(
            "AdminApiKey",
            "ADMIN_API_KEY",
            "Platform admin bearer key for /api/v1/admin (plain string, generated).",
            48,
        )
        self.secrets["DJANGO_SECRET_KEY"] = generated(
            "DjangoSecretKey",
            "DJANGO_SECRET_KEY",
            "Django SECRET_KEY (plain string, generated); injected into tasks as SECRET_KEY.",
            64,
        )
        master = self.database.secret
        assert master is not None
        username = master.secret_value_from_json("username").unsafe_unwrap()
        password = master.secret_value_from_json("password").unsafe_unwrap()
        database_url = (
            f"postgres://{username}:{password}@{self.database.db_instance_endpoint_address}:"
            f"{self.database.db_instance_endpoint_port}/{names.DB_NAME}?sslmode=require"
        )
        # Composed by CloudFormation from the RDS-generated credentials (dynamic references),
        # so the password never appears in the template or the cloud assembly.
        self.secrets["DATABASE_URL"] = secretsmanager.Secret(
            self,
            "DatabaseUrl",
            secret_name=names.SECRET_PREFIX + "DATABASE_URL",
            description="postgres:// URL of the RDS database (plain string, composed by CDK).",
            secret_string_value=SecretValue.unsafe_plain_text(database_url),
        )
        reasons = {
            "OPENAI_API_KEY": "An OpenAI key is rotated in OpenAI's console; the runbook in "
            "docs/deploy.md then puts the new value here. No Lambda can mint one.",
            "ADMIN_API_KEY": "Rotating the admin key must be coordinated with the scripts that "
            "use it, so it is a documented manual step (docs/deploy.md).",
            "DJANGO_SECRET_KEY": "Rotating SECRET_KEY invalidates sessions and signed values; "
            "it is a planned manual step in docs/deploy.md, not a schedule.",
            "DATABASE_URL": "Derived from the RDS master secret; it changes only with the "
            "documented password rotation runbook (docs/deploy.md).",
        }
        for name, secret in self.secrets.items():
            acknowledge(secret, "SMG4", reasons[name])

    # -- compute ---------------------------------------------------------------------------

    def _compute(self) -> None:
        self.log_groups = {
            process: self._log_group(process) for process in ("web", "worker", "migrate")
        }
        self.image_repository = ecr.Repository.from_repository_name(
            self, "ImageRepository", names.ECR_REPOSITORY
        )
        image_tag = ssm.StringParameter.value_for_string_parameter(self, names.IMAGE_TAG_PARAMETER)
        image = ecs.ContainerImage.from_ecr_repository(self.image_repository, tag=image_tag)

        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name=names.CLUSTER,
            vpc=self.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )

        self.task_role = iam.Role(
            self,
            "TaskRole",
            description="ragplatform tasks: exactly the seed's least-privilege policy",
            assumed_by=iam.ServicePrincipal(
                "ecs-tasks.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": self.account},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{self.region}:{self.account}:*"},
                },
            ),
            inline_policies={
                "rag-system-least-privilege": iam.PolicyDocument.from_json(TASK_ROLE_POLICY)
            },
        )
        acknowledge(
            self.task_role,
            "IAM5[Resource::arn:aws:s3:::rag-system-docs-prod/tenants/*]",
            "The seed's task policy: the app reads and writes any tenant's PDFs under tenants/, "
            "and each key is tenants/<tenant-uuid>/documents/<doc-uuid>.pdf.",
        )
        acknowledge(
            self.task_role,
            "IAM5[Resource::arn:aws:secretsmanager:ap-southeast-2:*:secret:rag-system/*]",
            "The seed's task policy: the app loads its rag-system/ secrets at start-up, and "
            "Secrets Manager appends a random suffix to every secret ARN.",
        )
        acknowledge(
            self.task_role,
            "IAM5[Resource::*]",
            "The seed's task policy grants bedrock:InvokeModel on *: the AU cross-region "
            "inference profile routes to foundation models in more than one Australian region.",
        )

        # One execution role for all three task definitions: it pulls the image, writes the
        # logs and injects SECRET_KEY. The deploy role may pass exactly this role and the task
        # role.
        self.execution_role = iam.Role(
            self,
            "ExecutionRole",
            description="ECS agent for ragplatform tasks: image pull, logs, SECRET_KEY",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
        )

        environment = {
            "RAG_ENV": "production",
            "DEBUG": "false",
            "AWS_REGION": names.REGION,
            "AWS_DEFAULT_REGION": names.REGION,
            "AWS_STORAGE_BUCKET_NAME": names.DOCS_BUCKET,
            # Behind API Gateway and a private ALB whose health checks use the task's IP as Host.
            "ALLOWED_HOSTS": "*",
            "LOG_LEVEL": "INFO",
        }
        secrets = {"SECRET_KEY": ecs.Secret.from_secrets_manager(self.secrets["DJANGO_SECRET_KEY"])}

        def task_definition(
            construct_id: str, family: str, cpu: int, memory: int
        ) -> ecs.FargateTaskDefinition:
            return ecs.FargateTaskDefinition(
                self,
                construct_id,
                family=family,
                cpu=cpu,
                memory_limit_mib=memory,
                task_role=self.task_role,
                execution_role=self.execution_role,
                runtime_platform=ecs.RuntimePlatform(
                    cpu_architecture=ecs.CpuArchitecture.X86_64,
                    operating_system_family=ecs.OperatingSystemFamily.LINUX,
                ),
            )

        def logging(process: str) -> ecs.LogDriver:
            return ecs.LogDrivers.aws_logs(
                stream_prefix=process,
                log_group=self.log_groups[process],
                mode=ecs.AwsLogDriverMode.NON_BLOCKING,
                max_buffer_size=Size.mebibytes(25),
            )

        # Web: the seed's 2 tasks of 1 vCPU / 2 GB behind the ALB.
        self.web_task = task_definition("WebTask", names.WEB_FAMILY, 1024, 2048)
        self.web_task.add_container(
            "Web",
            container_name=names.WEB_CONTAINER,
            image=image,
            environment=environment,
            secrets=secrets,
            logging=logging("web"),
            port_mappings=[ecs.PortMapping(container_port=names.WEB_PORT, name="http")],
            health_check=ecs.HealthCheck(
                command=["CMD", "python", "-c", HEALTH_CHECK_COMMAND],
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(60),
            ),
            stop_timeout=Duration.seconds(30),
        )
        # Worker: ingestion (PDF parsing, embedding calls); no port, no load balancer.
        self.worker_task = task_definition("WorkerTask", names.WORKER_FAMILY, 1024, 2048)
        self.worker_task.add_container(
            "Worker",
            container_name=names.WORKER_CONTAINER,
            image=image,
            command=["python", "manage.py", "db_worker"],
            environment=environment,
            secrets=secrets,
            logging=logging("worker"),
            stop_timeout=Duration.seconds(120),
        )
        # Migrate: run once per release by the deploy workflow, before the services roll.
        self.migrate_task = task_definition("MigrateTask", names.MIGRATE_FAMILY, 512, 1024)
        self.migrate_task.add_container(
            "Migrate",
            container_name=names.MIGRATE_CONTAINER,
            image=image,
            command=["python", "manage.py", "migrate", "--noinput"],
            environment=environment,
            secrets=secrets,
            logging=logging("migrate"),
        )
        for task in (self.web_task, self.worker_task, self.migrate_task):
            acknowledge(
                task,
                "ECS2",
                "The environment holds only non-secret settings (RAG_ENV, region, bucket "
                "name); every secret comes from Secrets Manager.",
            )
        acknowledge(
            self.execution_role.node.find_child("DefaultPolicy"),
            "IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions; CDK grants it on * "
            "for the image pull. Every other statement names its resource.",
        )

        def service(
            construct_id: str, name: str, task: ecs.FargateTaskDefinition, count: int
        ) -> ecs.FargateService:
            return ecs.FargateService(
                self,
                construct_id,
                service_name=name,
                cluster=self.cluster,
                task_definition=task,
                desired_count=count,
                # Rolling: start new tasks first, stop old ones once the new are healthy.
                min_healthy_percent=100,
                max_healthy_percent=200,
                circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
                vpc_subnets=self.app_subnets,
                security_groups=[self.app_sg],
                assign_public_ip=False,
                enable_execute_command=False,
                propagate_tags=ecs.PropagatedTagSource.SERVICE,
            )

        self.web_service = service(
            "WebService", names.WEB_SERVICE, self.web_task, self.config.web_desired_count
        )
        self.worker_service = service(
            "WorkerService",
            names.WORKER_SERVICE,
            self.worker_task,
            self.config.worker_desired_count,
        )

    # -- edge: ALB and API Gateway ---------------------------------------------------------

    def _edge(self) -> None:
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=self.vpc,
            internet_facing=False,
            vpc_subnets=self.app_subnets,
            security_group=self.alb_sg,
            drop_invalid_header_fields=True,
            idle_timeout=Duration.seconds(60),
            deletion_protection=True,
        )
        self.load_balancer.log_access_logs(self.access_logs_bucket, prefix="alb")
        listener = self.load_balancer.add_listener(
            "Http", port=80, protocol=elbv2.ApplicationProtocol.HTTP, open=False
        )
        self.target_group = listener.add_targets(
            "Web",
            port=names.WEB_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[
                self.web_service.load_balancer_target(
                    container_name=names.WEB_CONTAINER, container_port=names.WEB_PORT
                )
            ],
            health_check=elbv2.HealthCheck(
                path=names.HEALTH_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
            deregistration_delay=Duration.seconds(30),
        )

        vpc_link = apigw.VpcLink(
            self,
            "VpcLink",
            vpc=self.vpc,
            subnets=self.app_subnets,
            security_groups=[self.vpc_link_sg],
        )
        custom_domain = bool(self.config.domain_name)
        self.api = apigw.HttpApi(
            self,
            "HttpApi",
            api_name="ragplatform",
            description="ragplatform public entry point (HTTPS only)",
            create_default_stage=False,
            default_integration=apigw_integrations.HttpAlbIntegration(
                "Alb", listener, vpc_link=vpc_link, timeout=Duration.seconds(29)
            ),
            # With a custom domain, clients must use it (and its TLS 1.2 policy).
            disable_execute_api_endpoint=custom_domain,
        )
        domain_mapping = None
        if custom_domain:
            self.domain = apigw.DomainName(
                self,
                "Domain",
                domain_name=self.config.domain_name,
                certificate=acm.Certificate.from_certificate_arn(
                    self, "Certificate", self.config.certificate_arn
                ),
                security_policy=apigw.SecurityPolicy.TLS_1_2,
            )
            domain_mapping = apigw.DomainMappingOptions(domain_name=self.domain)
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            # The global limit; each tenant's own limit is enforced by the app (HTTP APIs have
            # no per-key usage plans).
            throttle=apigw.ThrottleSettings(
                rate_limit=self.config.api_rate_limit, burst_limit=self.config.api_burst_limit
            ),
            domain_mapping=domain_mapping,
        )
        access_log_group = self._log_group("api")
        self.stage.node.default_child.access_log_settings = (
            apigw.CfnStage.AccessLogSettingsProperty(
                destination_arn=access_log_group.log_group_arn,
                format=(
                    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                    '"requestTime":"$context.requestTime","method":"$context.httpMethod",'
                    '"path":"$context.path","status":"$context.status",'
                    '"responseLength":"$context.responseLength",'
                    '"latencyMs":"$context.responseLatency",'
                    '"integrationLatencyMs":"$context.integration.latency",'
                    '"integrationError":"$context.integrationErrorMessage"}'
                ),
            )
        )
        acknowledge(
            self.api.node.find_child("DefaultRoute"),
            "APIG4",
            "Every request is authenticated by the app itself (bearer API keys per tenant, "
            "ADMIN_API_KEY for /api/v1/admin); /api/v1/health must stay open.",
        )

    # -- helpers ---------------------------------------------------------------------------

    def _log_group(self, key: str) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            f"{key.capitalize()}LogGroup",
            log_group_name=names.LOG_GROUPS[key],
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _outputs(self) -> None:
        if not self.config.domain_name:
            CfnOutput(self, "ApiUrl", value=self.api.api_endpoint)
        else:
            CfnOutput(self, "ApiUrl", value=f"https://{self.config.domain_name}")
            CfnOutput(
                self,
                "DomainTarget",
                description="CNAME/alias target for the custom domain",
                value=self.domain.regional_domain_name,
            )
        CfnOutput(self, "ClusterName", value=self.cluster.cluster_name)
        CfnOutput(self, "DeployRoleArn", value=self.deploy_role.role.role_arn)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "DatabaseEndpoint", value=self.database.db_instance_endpoint_address)
        CfnOutput(self, "DocumentsBucketName", value=self.documents_bucket.bucket_name)
