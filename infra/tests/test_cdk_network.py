"""Network layout: two explicit Sydney zones, public/app/data subnets, and security groups
that chain VPC link -> ALB -> tasks -> database and nothing else."""

import json
import re

from ragplatform_infra import names


def _subnets_named(synth, name):
    return {
        logical_id: subnet
        for logical_id, subnet in synth.resources("AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-name", "Value": name} in subnet["Properties"]["Tags"]
    }


def _routes_of(synth, subnet_id):
    (association,) = [
        a["Properties"]["RouteTableId"]["Ref"]
        for a in synth.resources("AWS::EC2::SubnetRouteTableAssociation").values()
        if a["Properties"]["SubnetId"] == {"Ref": subnet_id}
    ]
    return [
        r["Properties"]
        for r in synth.resources("AWS::EC2::Route").values()
        if r["Properties"]["RouteTableId"] == {"Ref": association}
    ]


def test_vpc_spans_two_explicit_zones_in_sydney(synth):
    zones = sorted(
        s["Properties"]["AvailabilityZone"] for s in _subnets_named(synth, "app").values()
    )
    assert zones == ["ap-southeast-2a", "ap-southeast-2b"]
    for name in ("public", "app", "data"):
        assert len(_subnets_named(synth, name)) == 2


def test_nothing_names_a_region_other_than_sydney(synth):
    for template in synth.templates.values():
        regions = set(re.findall(r"\b[a-z]{2}-[a-z]+-\d\b", json.dumps(template)))
        assert regions <= {"ap-southeast-2"}, regions


def test_data_subnets_have_no_route_out_of_the_vpc(synth):
    for subnet_id, subnet in _subnets_named(synth, "data").items():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False
        assert _routes_of(synth, subnet_id) == []


def test_app_subnets_reach_out_only_through_the_nat_gateway(synth):
    (nat_id,) = synth.resources("AWS::EC2::NatGateway")
    for subnet_id, subnet in _subnets_named(synth, "app").items():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False
        (route,) = _routes_of(synth, subnet_id)
        assert route["DestinationCidrBlock"] == "0.0.0.0/0"
        assert route["NatGatewayId"] == {"Ref": nat_id}


def test_s3_traffic_uses_the_free_gateway_endpoint(synth):
    (endpoint,) = synth.resources("AWS::EC2::VPCEndpoint").values()
    assert endpoint["Properties"]["VpcEndpointType"] == "Gateway"
    assert "s3" in json.dumps(endpoint["Properties"]["ServiceName"])


def test_services_run_in_app_subnets_without_public_ips(synth):
    app = set(_subnets_named(synth, "app"))
    for service in synth.resources("AWS::ECS::Service").values():
        vpc = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert vpc["AssignPublicIp"] == "DISABLED"
        assert {subnet["Ref"] for subnet in vpc["Subnets"]} == app


def _group(synth, description_start):
    (match,) = [
        logical_id
        for logical_id, group in synth.resources("AWS::EC2::SecurityGroup").items()
        if group["Properties"]["GroupDescription"].startswith(description_start)
    ]
    return match


def test_security_groups_chain_vpc_link_alb_tasks_database(synth):
    vpc_link, alb = _group(synth, "API Gateway VPC link"), _group(synth, "Internal ALB")
    tasks, database = _group(synth, "ECS tasks"), _group(synth, "RDS PostgreSQL")
    ingress = {
        (
            rule["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0],
            rule["Properties"]["GroupId"]["Fn::GetAtt"][0],
            rule["Properties"]["FromPort"],
        )
        for rule in synth.resources("AWS::EC2::SecurityGroupIngress").values()
    }
    assert ingress == {(vpc_link, alb, 80), (alb, tasks, 8000), (tasks, database, 5432)}
    for group in synth.resources("AWS::EC2::SecurityGroup").values():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") != "0.0.0.0/0", group


def test_tasks_may_only_leave_on_https(synth):
    tasks = synth.platform["Resources"][_group(synth, "ECS tasks")]["Properties"]
    assert tasks["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to APIs",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]


def test_rejected_traffic_is_flow_logged(synth):
    (flow_log,) = synth.resources("AWS::EC2::FlowLog").values()
    assert flow_log["Properties"]["TrafficType"] == "REJECT"
    assert flow_log["Properties"]["LogDestinationType"] == "cloud-watch-logs"


def test_stack_is_pinned_to_sydney():
    assert names.REGION == "ap-southeast-2"
    assert all(zone.startswith("ap-southeast-2") for zone in names.AVAILABILITY_ZONES)
