"""One test (or more) per row of the seed's "AWS Services" table, against the synthesized
templates."""

import json

from aws_cdk.assertions import Match
from ragplatform_infra import names


def _family(synth, family):
    return synth.one("AWS::ECS::TaskDefinition", Family=family)[1]["Properties"]


def test_ecs_fargate_web_runs_two_tasks_of_1_vcpu_and_2_gb(platform, synth):
    platform.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "Family": names.WEB_FAMILY,
            "Cpu": "1024",
            "Memory": "2048",
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
        },
    )
    platform.has_resource_properties(
        "AWS::ECS::Service",
        {
            "ServiceName": names.WEB_SERVICE,
            "DesiredCount": 2,
            "LaunchType": "FARGATE",
            "EnableExecuteCommand": False,
            "DeploymentConfiguration": {
                "MinimumHealthyPercent": 100,
                "MaximumPercent": 200,
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
            },
        },
    )


def test_web_container_serves_port_8000_with_a_health_check(synth):
    (container,) = _family(synth, names.WEB_FAMILY)["ContainerDefinitions"]
    assert container["Name"] == names.WEB_CONTAINER
    assert container["PortMappings"][0]["ContainerPort"] == 8000
    assert "Command" not in container  # the image's gunicorn CMD
    health = container["HealthCheck"]["Command"]
    assert health[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/api/v1/health" in health[3]


def test_worker_service_runs_db_worker_with_rollback(platform, synth):
    (container,) = _family(synth, names.WORKER_FAMILY)["ContainerDefinitions"]
    assert container["Command"] == ["python", "manage.py", "db_worker"]
    assert "PortMappings" not in container
    platform.has_resource_properties(
        "AWS::ECS::Service",
        {
            "ServiceName": names.WORKER_SERVICE,
            "DesiredCount": 1,
            "LaunchType": "FARGATE",
            "LoadBalancers": Match.absent(),
            "DeploymentConfiguration": Match.object_like(
                {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}}
            ),
        },
    )


def test_migrate_task_definition_runs_migrate_noinput(synth):
    (container,) = _family(synth, names.MIGRATE_FAMILY)["ContainerDefinitions"]
    assert container["Name"] == names.MIGRATE_CONTAINER
    assert container["Command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_every_container_runs_the_released_image_in_production_mode(synth):
    parameter = next(
        name
        for name, spec in synth.platform["Parameters"].items()
        if spec.get("Default") == names.IMAGE_TAG_PARAMETER
    )
    for family in (names.WEB_FAMILY, names.WORKER_FAMILY, names.MIGRATE_FAMILY):
        (container,) = _family(synth, family)["ContainerDefinitions"]
        image = json.dumps(container["Image"])
        assert f'"/{names.ECR_REPOSITORY}:"' in image and parameter in image
        environment = {item["Name"]: item["Value"] for item in container["Environment"]}
        assert environment["RAG_ENV"] == "production"
        assert environment["DEBUG"] == "false"
        assert environment["AWS_REGION"] == "ap-southeast-2"
        assert environment["AWS_STORAGE_BUCKET_NAME"] == "rag-system-docs-prod"
        assert not {"SECRET_KEY", "DATABASE_URL", "OPENAI_API_KEY", "ADMIN_API_KEY"} & set(
            environment
        )
        (secret,) = container["Secrets"]
        assert secret["Name"] == "SECRET_KEY"
        assert secret["ValueFrom"] == {
            "Ref": synth.one("AWS::SecretsManager::Secret", Name="rag-system/DJANGO_SECRET_KEY")[0]
        }
        assert container["LogConfiguration"]["LogDriver"] == "awslogs"


def test_rds_is_postgres_16_on_t3_medium_with_7_day_backups(platform):
    platform.has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "Engine": "postgres",
            "EngineVersion": "16.13",
            "DBInstanceClass": "db.t3.medium",
            "StorageEncrypted": True,
            "BackupRetentionPeriod": 7,
            "DeletionProtection": True,
            "PubliclyAccessible": False,
            "MultiAZ": False,
            "DBName": "ragplatform",
        },
    )


def test_rds_master_credentials_are_generated_into_secrets_manager(platform, synth):
    _, database = synth.one("AWS::RDS::DBInstance", DBInstanceIdentifier=names.DB_INSTANCE_ID)
    password = json.dumps(database["Properties"]["MasterUserPassword"])
    assert "{{resolve:secretsmanager:" in password
    platform.has_resource_properties(
        "AWS::SecretsManager::Secret",
        {
            "Name": names.DB_MASTER_SECRET,
            "GenerateSecretString": Match.object_like({"GenerateStringKey": "password"}),
        },
    )


def test_rds_lives_in_the_isolated_subnets(synth):
    _, database = synth.one("AWS::RDS::DBInstance", DBInstanceIdentifier=names.DB_INSTANCE_ID)
    group_id = database["Properties"]["DBSubnetGroupName"]["Ref"]
    subnet_ids = {
        ref["Ref"] for ref in synth.platform["Resources"][group_id]["Properties"]["SubnetIds"]
    }
    subnets = synth.resources("AWS::EC2::Subnet")
    data = {
        logical_id
        for logical_id, subnet in subnets.items()
        if {"Key": "aws-cdk:subnet-name", "Value": "data"} in subnet["Properties"]["Tags"]
    }
    assert subnet_ids == data and len(data) == 2


def test_db_instance_class_is_one_context_flag(synth_options):
    _, database = synth_options.one(
        "AWS::RDS::DBInstance", DBInstanceIdentifier=names.DB_INSTANCE_ID
    )
    assert database["Properties"]["DBInstanceClass"] == "db.t3.large"


def test_s3_bucket_is_aes256_private_tls_only_and_versioned(platform, synth):
    platform.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": "rag-system-docs-prod",
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "LoggingConfiguration": Match.object_like({"LogFilePrefix": Match.any_value()}),
        },
    )
    bucket_id, bucket = synth.one("AWS::S3::Bucket", BucketName="rag-system-docs-prod")
    assert bucket["DeletionPolicy"] == "Retain"
    (policy,) = [
        p
        for p in synth.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
    }.items() <= statements[0].items()
    assert all(s["Effect"] == "Deny" for s in statements), "no statement may grant access"


def test_every_bucket_blocks_public_access_and_encrypts(synth):
    for bucket in synth.resources("AWS::S3::Bucket").values():
        props = bucket["Properties"]
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
        assert (
            props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
                "ServerSideEncryptionByDefault"
            ]["SSEAlgorithm"]
            == "AES256"
        )


def test_api_gateway_is_an_http_api_on_https_routing_everything_to_the_alb(platform, synth):
    platform.has_resource_properties(
        "AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP", "DisableExecuteApiEndpoint": False}
    )
    _, integration = synth.one("AWS::ApiGatewayV2::Integration")
    props = integration["Properties"]
    assert props["ConnectionType"] == "VPC_LINK"
    assert props["IntegrationType"] == "HTTP_PROXY"
    assert props["IntegrationUri"] == {"Ref": synth.one("AWS::ElasticLoadBalancingV2::Listener")[0]}
    platform.has_resource_properties("AWS::ApiGatewayV2::Route", {"RouteKey": "$default"})
    # An HTTP API's endpoints serve only HTTPS: there is no plain-HTTP listener to configure.


def test_api_gateway_stage_throttles_and_logs_access(platform, synth):
    platform.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "DefaultRouteSettings": {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
            "AccessLogSettings": {
                "DestinationArn": {
                    "Fn::GetAtt": [
                        synth.one("AWS::Logs::LogGroup", LogGroupName="/ragplatform/api-gateway")[
                            0
                        ],
                        "Arn",
                    ]
                },
                "Format": Match.string_like_regexp(r"\$context\.requestId"),
            },
        },
    )


def test_custom_domain_uses_tls_1_2_and_closes_the_default_endpoint(synth_options):
    from aws_cdk.assertions import Template

    template = Template.from_json(synth_options.platform)
    template.has_resource_properties(
        "AWS::ApiGatewayV2::DomainName",
        {
            "DomainName": "api.example.com",
            "DomainNameConfigurations": [
                Match.object_like({"SecurityPolicy": "TLS_1_2", "EndpointType": "REGIONAL"})
            ],
        },
    )
    template.has_resource_properties("AWS::ApiGatewayV2::Api", {"DisableExecuteApiEndpoint": True})
    template.resource_count_is("AWS::ApiGatewayV2::ApiMapping", 1)


def test_secrets_manager_holds_the_app_secrets_under_rag_system(synth):
    secret_names = {
        s["Properties"]["Name"] for s in synth.resources("AWS::SecretsManager::Secret").values()
    }
    assert secret_names == {
        "rag-system/OPENAI_API_KEY",
        "rag-system/DATABASE_URL",
        "rag-system/ADMIN_API_KEY",
        "rag-system/DJANGO_SECRET_KEY",
        names.DB_MASTER_SECRET,
    }


def test_generated_secrets_are_plain_strings(synth):
    for name in ("OPENAI_API_KEY", "ADMIN_API_KEY", "DJANGO_SECRET_KEY"):
        _, secret = synth.one("AWS::SecretsManager::Secret", Name=f"rag-system/{name}")
        generator = secret["Properties"]["GenerateSecretString"]
        # No SecretStringTemplate/GenerateStringKey: the value is the string itself, not JSON.
        assert set(generator) == {"ExcludePunctuation", "IncludeSpace", "PasswordLength"}


def test_database_url_is_composed_from_the_rds_secret_without_a_plaintext_password(synth):
    _, secret = synth.one("AWS::SecretsManager::Secret", Name="rag-system/DATABASE_URL")
    parts = secret["Properties"]["SecretString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "<ref>" for p in parts)
    assert text == (
        "postgres://{{resolve:secretsmanager:<ref>:SecretString:username::}}:"
        "{{resolve:secretsmanager:<ref>:SecretString:password::}}@<ref>:<ref>/ragplatform"
        "?sslmode=require"
    )


def test_ecr_repository_scans_on_push_and_expires_old_images(registry, synth):
    registry.has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryName": "ragplatform",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
            # Absent means ECR's default, AES-256; KMS would show up here.
            "EncryptionConfiguration": Match.absent(),
        },
    )
    _, repository = synth.one("AWS::ECR::Repository", stack="RagPlatformRegistry")
    rules = json.loads(repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [(r["selection"]["tagStatus"], r["selection"]["countType"]) for r in rules] == [
        ("untagged", "sinceImagePushed"),
        ("any", "imageCountMoreThan"),
    ]
    assert rules[1]["selection"]["countNumber"] == 50


def test_cloudwatch_has_a_log_group_per_service_with_retention(platform, synth):
    for name in ("/ragplatform/web", "/ragplatform/worker", "/ragplatform/migrate"):
        platform.has_resource_properties(
            "AWS::Logs::LogGroup", {"LogGroupName": name, "RetentionInDays": 30}
        )
    for group in synth.resources("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == 30, group
    for family, process in ((names.WEB_FAMILY, "web"), (names.WORKER_FAMILY, "worker")):
        (container,) = _family(synth, family)["ContainerDefinitions"]
        options = container["LogConfiguration"]["Options"]
        assert options["awslogs-group"] == {
            "Ref": synth.one("AWS::Logs::LogGroup", LogGroupName=f"/ragplatform/{process}")[0]
        }
        assert options["awslogs-stream-prefix"] == process


def test_alb_is_internal_and_forwards_http_to_the_web_target_group(platform, synth):
    platform.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Scheme": "internal", "Type": "application"},
    )
    platform.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener", {"Port": 80, "Protocol": "HTTP"}
    )
    platform.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 8000,
            "Protocol": "HTTP",
            "TargetType": "ip",
            "HealthCheckPath": "/api/v1/health",
            "Matcher": {"HttpCode": "200"},
        },
    )
    target_group_id, _ = synth.one("AWS::ElasticLoadBalancingV2::TargetGroup")
    _, web = synth.one("AWS::ECS::Service", ServiceName=names.WEB_SERVICE)
    assert web["Properties"]["LoadBalancers"] == [
        {"ContainerName": "web", "ContainerPort": 8000, "TargetGroupArn": {"Ref": target_group_id}}
    ]
