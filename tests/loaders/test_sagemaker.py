import json
import textwrap

import pytest

from costwarden import Document, scan
from costwarden.loaders import sagemaker
from tests.scanning import NO_POLICIES

TRAINING = {
    "TrainingJobName": "llm-finetune",
    "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
    "ResourceConfig": {"InstanceType": "ml.p3.16xlarge", "InstanceCount": 2, "VolumeSizeInGB": 100},
    "StoppingCondition": {"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 72000},
    "EnableManagedSpotTraining": True,
    "CheckpointConfig": {"S3Uri": "s3://bucket/ckpt/"},
    "Tags": [{"Key": "finops:team", "Value": "ml"}],
}


def load(document, name="job.json"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    loaded = sagemaker.load(name, data)
    assert not loaded.errors, loaded.errors
    return loaded.resources


def test_create_training_job():
    (job,) = load(TRAINING)
    assert (job.address, job.type, job.category) == (
        "TrainingJob/llm-finetune",
        "sagemaker:CreateTrainingJob",
        "training_job",
    )
    compute = job.compute
    assert (compute.instance_type, compute.count, compute.market, compute.run_hours, compute.service) == (
        "ml.p3.16xlarge",
        2,
        "spot",
        10,
        "sagemaker",
    )
    assert job.training.spot is True and job.training.checkpoint is True
    assert (job.training.max_runtime_seconds, job.training.max_wait_seconds) == (36000, 72000)
    assert dict(job.tags) == {"finops:team": "ml"}


def test_training_job_priced_per_run():
    result = scan(
        Document("job.json", json.dumps({**TRAINING, "EnableManagedSpotTraining": False}).encode()), NO_POLICIES
    )
    (cost,) = result.costs.values()
    assert cost.monthly_cost == pytest.approx(2 * 28.152 * 10)  # ml.p3.16xlarge training, one 10 h run
    assert "1 run/month assumed" in cost.basis


def test_describe_training_job_response_and_yaml_request():
    described = {
        **TRAINING,
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:1:training-job/x",
        "TrainingJobStatus": "Completed",
    }
    assert load(described)[0].address == "TrainingJob/llm-finetune"
    yaml_text = "TrainingJobName: y\nAlgorithmSpecification: {TrainingImage: x}\nResourceConfig: {InstanceType: ml.g5.xlarge, InstanceCount: 1}\n"
    (job,) = load(yaml_text.encode(), "job.yaml")
    assert (job.compute.instance_type, job.compute.run_hours) == ("ml.g5.xlarge", 24)
    assert "MaxRuntimeInSeconds absent: SageMaker's default of 1 day" in job.compute.assumptions


def test_create_endpoint_config_with_serverless_and_managed_scaling():
    config = {
        "EndpointConfigName": "llm",
        "ProductionVariants": [
            {
                "VariantName": "a",
                "InstanceType": "ml.g5.2xlarge",
                "InitialInstanceCount": 2,
                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 4},
            },
            {"VariantName": "b", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}},
        ],
    }
    (endpoint,) = load(config)
    assert endpoint.address == "EndpointConfig/llm"
    assert (endpoint.compute.instance_type, endpoint.compute.count) == ("ml.g5.2xlarge", 2)
    assert endpoint.extra_compute[0].service == "sagemaker_serverless"
    assert (endpoint.scaling.min, endpoint.scaling.max) == (1, 4)


CFN = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  InstanceType: {Type: String, Default: ml.g5.2xlarge}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
      - VariantName: main
        ModelName: !GetAtt Model.ModelName
        InstanceType: !Ref InstanceType
        InitialInstanceCount: 2
      Tags:
      - {Key: finops:team, Value: ml}
      - {Key: finops:service, Value: !Ref AWS::StackName}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Scaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: !Sub endpoint/${Endpoint.EndpointName}/variant/main
      MinCapacity: 1
      MaxCapacity: 3
"""


def test_cloudformation_yaml_with_intrinsics_and_autoscaling():
    result = scan(Document("stack.yml", textwrap.dedent(CFN).encode()), NO_POLICIES)
    assert not result.errors
    resources = {r.address: r for r in result.resources}
    config = resources["AWS::SageMaker::EndpointConfig.Config"]
    assert config.location.line == 6
    assert config.compute.instance_type == "ml.g5.2xlarge"
    assert "InstanceType = 'ml.g5.2xlarge', the parameter's default" in config.compute.assumptions
    assert dict(config.tags) == {"finops:team": "ml", "finops:service": None}
    assert resources["AWS::SageMaker::Endpoint.Endpoint"].links == {
        "endpoint_configuration": "AWS::SageMaker::EndpointConfig.Config",
        "autoscaler": "AWS::ApplicationAutoScaling::ScalableTarget.Scaling",
    }
    assert (config.scaling.min, config.scaling.max) == (1, 3)  # through the endpoint it runs


def test_cloudformation_json_with_unbound_parameters():
    template = {
        "Parameters": {"Type": {"Type": "String"}},
        "Resources": {
            "C": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {"ProductionVariants": [{"InstanceType": {"Ref": "Type"}, "InitialInstanceCount": 1}]},
            }
        },
    }
    (config,) = load(template, "stack.json")
    assert config.compute.instance_type is None


def test_step_functions_run_time_values_are_unknown():
    machine = {
        "StartAt": "Train",
        "States": {
            "Train": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                "Parameters": {
                    "TrainingJobName.$": "$.name",
                    "AlgorithmSpecification": {"TrainingImage": "x"},
                    "ResourceConfig": {"InstanceType.$": "$.type", "InstanceCount": 1},
                    "EnableManagedSpotTraining.$": "$.spot",
                    "StoppingCondition.$": "$.stop",
                },
                "End": True,
            },
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "T2",
                        "States": {
                            "T2": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::sagemaker:createTrainingJob",
                                "Parameters": {
                                    "TrainingJobName": "inner",
                                    "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1},
                                },
                                "End": True,
                            }
                        },
                    }
                ],
            },
        },
    }
    first, inner = load(machine, "sfn.json")
    assert first.address == "TrainingJob/Train"
    assert first.compute.instance_type is None
    assert (first.training.spot, first.training.stopping_known) == (None, False)
    assert inner.address == "TrainingJob/inner"


def test_pipeline_get_is_unknown():
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Type", "Type": "String", "DefaultValue": "ml.m5.xlarge"}],
        "Steps": [
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {"TrainingImage": "x"},
                    "ResourceConfig": {"InstanceType": {"Get": "Parameters.Type"}, "InstanceCount": 1},
                },
            }
        ],
    }
    (step,) = load(definition, "pipeline.json")
    assert (step.address, step.compute.instance_type) == ("TrainingJob/Train", None)


def test_ack_training_job_through_the_kubernetes_stream():
    text = """
    apiVersion: sagemaker.services.k8s.aws/v1alpha1
    kind: TrainingJob
    metadata: {name: xgb}
    spec:
      trainingJobName: xgb
      resourceConfig: {instanceType: ml.p3.2xlarge, instanceCount: 1, volumeSizeInGB: 5}
      stoppingCondition: {maxRuntimeInSeconds: 3600}
      enableManagedSpotTraining: false
    """
    result = scan(Document("ack.yaml", textwrap.dedent(text).encode()), NO_POLICIES)
    (job,) = result.resources
    assert (job.address, job.compute.instance_type, job.compute.run_hours, job.location.line) == (
        "TrainingJob/xgb",
        "ml.p3.2xlarge",
        1,
        2,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"TrainingJobName": "x", "ResourceConfig": ', "invalid JSON"),
        (b'{"TrainingJobName": "x"}', "not a SageMaker definition"),
        (b"[1, 2]", "not a SageMaker definition: expected an object"),
    ],
)
def test_bad_definitions_are_clean_errors(data, message):
    loaded = sagemaker.load("job.json", data)
    assert message in loaded.errors[0].message
