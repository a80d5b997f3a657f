"""SageMaker training jobs, endpoint configurations and notebooks, as teams write them down.

``CreateTrainingJob`` / ``CreateEndpointConfig`` requests and ``DescribeTrainingJob``
responses (JSON or YAML), CloudFormation ``AWS::SageMaker::*`` and Application Auto Scaling
targets (YAML short-form intrinsics or JSON), Step Functions ``createTrainingJob`` tasks,
SageMaker Pipelines definitions, and ACK custom resources (from the Kubernetes loader).
A value bound at run time (``$.input``, ``{"Get": "Parameters.X"}``, ``!GetAtt``) is unknown.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from costwarden.errors import LoadError
from costwarden.loaders import accelerators
from costwarden.loaders.base import Loaded
from costwarden.loaders.text import load_json
from costwarden.loaders.values import as_dict, as_list, as_str
from costwarden.loaders.yaml_docs import decode, duplicate_keys, read_documents
from costwarden.model import Category, Compute, Location, NotEvaluated, Problem, Resource, Scaling, Training

NAME: str = "sagemaker"
PATTERNS: tuple[str, ...] = ("*.json", "*.yaml", "*.yml", "*.template")
DEFAULT_MAX_RUNTIME = 86400  # SageMaker's default StoppingCondition.MaxRuntimeInSeconds
_MARKERS = (
    b"AWS::SageMaker",
    b"AWSTemplateFormatVersion",
    b"HyperParameterTuningJobConfig",
    b"TrainingJobName",
    b"AlgorithmSpecification",
    b"ProductionVariants",
    b"sagemaker:createTrainingJob",
    b"EndpointConfigName",
    b'"Steps"',
)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def sniff(path: str, head: bytes) -> bool:
    if b"apiVersion" in head and b"sagemaker.services.k8s.aws" not in head and b"AWS::" not in head:
        return False
    if b'"Steps"' in head and b"Training" not in head and b"sagemaker" not in head.lower():
        return False
    return any(marker in head for marker in _MARKERS)


def load(path: str, data: bytes) -> Loaded:
    try:
        text = decode(path, data)
        document, duplicates = _parse(path, text)
    except LoadError as exc:
        return Loaded(errors=[Problem(exc.message, path=exc.path, line=exc.line)])
    reader = _Reader(path, text)
    reader.loaded.warnings.extend(duplicates)
    if not isinstance(document, dict):
        return Loaded(errors=[Problem("not a SageMaker definition: expected an object", path, 1)])
    if isinstance(document.get("Resources"), dict):
        reader.cloudformation(document)
    elif isinstance(document.get("States"), dict):
        reader.step_functions(document["States"])
    elif isinstance(document.get("Steps"), list):
        reader.pipeline(document)
    elif "HyperParameterTuningJobConfig" in document:
        name = document.get("HyperParameterTuningJobName")
        reader.loaded.resources.append(reader.tuning(document, name, "sagemaker:CreateHyperParameterTuningJob", 1))
    elif "AlgorithmSpecification" in document or "ResourceConfig" in document:
        reader.loaded.resources.append(
            reader.training(document, document.get("TrainingJobName"), "sagemaker:CreateTrainingJob", 1)
        )
    elif "ProductionVariants" in document:
        name = document.get("EndpointConfigName")
        reader.loaded.resources.append(reader.endpoint_config(document, name, "sagemaker:CreateEndpointConfig", 1))
    else:
        reader.loaded.errors.append(
            Problem("not a SageMaker definition (no training job, endpoint config or template)", path, 1)
        )
    return reader.loaded


def _parse(path: str, text: str) -> tuple[Any, list[Problem]]:
    if text.lstrip().startswith(("{", "[")):
        return load_json(path, text), []
    documents = list(read_documents(path, text))
    if not documents:
        return None, []
    return documents[0].data, duplicate_keys(path, documents[0])


def known(value: Any) -> Any:
    """The value, or ``UNKNOWN`` when it is bound at run time."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str) and value.startswith("$."):
        return UNKNOWN
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key in ("Get", "Std:Join", "Std:JsonGet", "Ref", "Condition") or key.startswith("Fn::"):
            return UNKNOWN
    return value


def _number(value: Any) -> float | None:
    value = known(value)
    if isinstance(value, bool) or value is UNKNOWN:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _tags(value: Any) -> dict[str, str | None]:
    tags: dict[str, str | None] = {}
    for tag in as_list(known(value)):
        tag = as_dict(tag)
        key = as_str(known(tag.get("Key", tag.get("key"))))
        if key:
            raw = known(tag.get("Value", tag.get("value")))
            tags[key] = raw if isinstance(raw, str) else None
    return tags


def _pascal(value: Any) -> Any:
    """ACK writes the API's fields in camelCase: ``resourceConfig`` -> ``ResourceConfig``."""
    if isinstance(value, dict):
        return {(k[:1].upper() + k[1:] if isinstance(k, str) else k): _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


class _Reader:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.loaded = Loaded()
        self.parameters: dict[str, Any] = {}

    def line_of(self, key: str) -> int:
        match = re.search(rf"^\s*\"?{re.escape(key)}\"?\s*:", self.text, re.M)
        return self.text.count("\n", 0, match.start()) + 1 if match else 1

    def declared(
        self,
        address: str,
        kind: str,
        line: int,
        category: Category,
        attributes: Mapping[str, Any],
        taggable: bool = True,
    ) -> Resource:
        """A resource this file declares, created when applied; the rest is added with ``dataclasses.replace``."""
        return Resource(
            address=address,
            type=kind,
            provider="aws",
            action="create",
            location=Location(self.path, line),
            category=category,
            attributes=attributes,
            tags=_tags(attributes.get("Tags")) if taggable else {},
            taggable=taggable,
            source_format=NAME,
        )

    def resolve(self, value: Any, assumptions: list[str]) -> Any:
        """CloudFormation ``Ref`` to a parameter with a default is that default (said so)."""
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in self.parameters:
            default = self.parameters[value["Ref"]]
            assumptions.append(f"{value['Ref']} = {default!r}, the parameter's default")
            return default
        return known(value)

    # Training jobs

    def tuning(self, request: Mapping[str, Any], name: Any, source_type: str, line: int) -> Resource:
        """A hyperparameter tuning job: its training job definition, run up to
        ``MaxNumberOfTrainingJobs`` times (``MaxParallelTrainingJobs`` at once) a tuning job."""
        request = as_dict(request)
        config = as_dict(known(request.get("HyperParameterTuningJobConfig")))
        limits = as_dict(known(config.get("ResourceLimits")))
        jobs = _count(self.resolve(limits.get("MaxNumberOfTrainingJobs"), []))
        parallel = _count(self.resolve(limits.get("MaxParallelTrainingJobs"), []))
        definitions = [as_dict(d) for d in as_list(known(request.get("TrainingJobDefinitions")))]
        definition = as_dict(known(request.get("TrainingJobDefinition"))) or (definitions[0] if definitions else {})
        said = (
            f"{jobs} training jobs a tuning job ({parallel or '?'} at a time), one tuning job a month"
            if jobs
            else "MaxNumberOfTrainingJobs unknown: one training job a month priced"
        )
        if len(definitions) > 1:
            said += f"; priced as the first of its {len(definitions)} training job definitions"
        resource = self.training(definition, name, source_type, line, kind="HyperParameterTuningJob")
        computes = [
            dataclasses.replace(c, runs_per_month=float(jobs) if jobs else None, assumptions=(*c.assumptions, said))
            for c in (resource.compute, *resource.extra_compute)
            if c is not None
        ]
        return dataclasses.replace(resource, compute=computes[0], extra_compute=tuple(computes[1:]))

    def training(
        self, request: Mapping[str, Any], name: Any, source_type: str, line: int, kind: str = "TrainingJob"
    ) -> Resource:
        request = as_dict(request)
        job = as_str(known(name)) or f"<line {line}>"
        assumptions: list[str] = []
        config = as_dict(self.resolve(request.get("ResourceConfig"), assumptions))
        stopping_value = known(request.get("StoppingCondition"))
        stopping = as_dict(stopping_value)
        runtime = _number(stopping.get("MaxRuntimeInSeconds"))
        if stopping_value is not UNKNOWN and "MaxRuntimeInSeconds" not in stopping:
            runtime = float(DEFAULT_MAX_RUNTIME)
            assumptions.append("MaxRuntimeInSeconds absent: SageMaker's default of 1 day")
        spot_value = known(request.get("EnableManagedSpotTraining"))
        spot = spot_value is True
        if spot_value is UNKNOWN:
            assumptions.append("spot or not is decided at run time: priced on-demand")
        checkpoint_config = known(request.get("CheckpointConfig"))
        checkpoint = None if checkpoint_config is UNKNOWN else bool(as_dict(checkpoint_config).get("S3Uri"))
        groups = [as_dict(g) for g in as_list(known(config.get("InstanceGroups")))] or [config]
        computes = [
            Compute(
                provider="aws",
                instance_type=_text(self.resolve(group.get("InstanceType"), assumptions)),
                count=_count(self.resolve(group.get("InstanceCount", 1), assumptions)),
                market="spot" if spot else "on_demand",
                service="sagemaker",
                workload="training",
                run_hours=None if runtime is None else runtime / 3600,
                assumptions=tuple(assumptions),
            )
            for group in groups
        ]
        return dataclasses.replace(
            self.declared(f"{kind}/{job}", source_type, line, "training_job", request),
            compute=computes[0],
            extra_compute=tuple(computes[1:]),
            training=Training(
                spot=None if spot_value is UNKNOWN else spot,
                checkpoint=checkpoint,
                stopping_known=stopping_value is not UNKNOWN,
                max_runtime_seconds=runtime,
                max_wait_seconds=_number(stopping.get("MaxWaitTimeInSeconds")),
            ),
        )

    # Endpoint configurations

    def endpoint_config(
        self, config: Mapping[str, Any], name: Any, source_type: str, line: int, address: str | None = None
    ) -> Resource:
        config = as_dict(config)
        assumptions: list[str] = []
        computes = []
        scaling = None
        for variant in as_list(known(config.get("ProductionVariants"))) + as_list(
            known(config.get("ShadowProductionVariants"))
        ):
            variant = as_dict(variant)
            if variant.get("ServerlessConfig"):
                computes.append(
                    Compute(
                        provider="aws",
                        instance_type=None,
                        count=0,
                        service="sagemaker_serverless",
                        workload="inference",
                    )
                )
                continue
            computes.append(
                Compute(
                    provider="aws",
                    instance_type=_text(self.resolve(variant.get("InstanceType"), assumptions)),
                    count=_count(self.resolve(variant.get("InitialInstanceCount", 1), assumptions)),
                    service="sagemaker",
                    workload="inference",
                    assumptions=tuple(assumptions),
                )
            )
            managed = as_dict(known(variant.get("ManagedInstanceScaling")))
            if scaling is None and managed.get("Status") == "ENABLED":
                minimum = _count(managed.get("MinInstanceCount"))
                scaling = Scaling(min=minimum, max=_count(managed.get("MaxInstanceCount")), scale_to_zero=minimum == 0)
        config_name = as_str(known(name)) or f"<line {line}>"
        return dataclasses.replace(
            self.declared(address or f"EndpointConfig/{config_name}", source_type, line, "inference_endpoint", config),
            compute=computes[0] if computes else None,
            extra_compute=tuple(computes[1:]),
            scaling=scaling,
        )

    # CloudFormation

    def cloudformation(self, template: Mapping[str, Any]) -> None:
        self.parameters = {
            name: as_dict(spec)["Default"]
            for name, spec in as_dict(template.get("Parameters")).items()
            if "Default" in as_dict(spec)
        }
        for logical, resource in as_dict(template.get("Resources")).items():
            resource = as_dict(resource)
            kind = as_str(resource.get("Type")) or ""
            properties = as_dict(resource.get("Properties"))
            line = self.line_of(str(logical))
            address = f"{kind}.{logical}"
            if kind == "AWS::SageMaker::EndpointConfig":
                name = properties.get("EndpointConfigName", logical)
                self.loaded.resources.append(self.endpoint_config(properties, name, kind, line, address))
            elif kind == "AWS::SageMaker::Endpoint":
                self.loaded.resources.append(self._endpoint(properties, kind, line, address, template))
            elif kind == "AWS::SageMaker::NotebookInstance":
                assumptions: list[str] = []
                compute = Compute(
                    provider="aws",
                    instance_type=_text(self.resolve(properties.get("InstanceType"), assumptions)),
                    service="sagemaker",
                    workload="notebook",
                    assumptions=tuple(assumptions),
                )
                notebook = self.declared(address, kind, line, "notebook", properties)
                self.loaded.resources.append(dataclasses.replace(notebook, compute=compute))
            elif (
                kind == "AWS::ApplicationAutoScaling::ScalableTarget"
                and properties.get("ServiceNamespace") == "sagemaker"
            ):
                self.loaded.resources.append(self._scalable_target(resource, kind, line, address, template))
            elif asks := sorted(set(accelerators.mentions(properties))):
                self.not_modelled(kind, address, Location(self.path, line), asks)
        if not self.loaded.resources and not self.loaded.not_evaluated:
            types = sorted({str(as_dict(r).get("Type")) for r in as_dict(template.get("Resources")).values()})
            listed = ", ".join(types[:5]) + (" ..." if len(types) > 5 else "")
            self.loaded.warnings.append(
                Problem(f"no resource of a type costwarden models (the template has {listed or 'none'})", self.path, 1)
            )

    def not_modelled(self, kind: str, address: str, where: Location, asks: list[str]) -> None:
        """A resource that names accelerators in a form costwarden does not model: said, never dropped."""
        custom = (
            "a custom resource: what its handler creates is not modelled"
            if kind.startswith("Custom::")
            else (f"{kind} is not modelled")
        )
        reason = f"{custom}; it names {', '.join(asks[:4])}"
        self.loaded.not_evaluated.append(NotEvaluated(kind, address, where, reason, ", ".join(asks)))

    def _endpoint(
        self, properties: Mapping[str, Any], kind: str, line: int, address: str, template: Mapping[str, Any]
    ) -> Resource:
        config = _logical_reference(properties.get("EndpointConfigName"), template)
        links = {"endpoint_configuration": config} if config else {}
        return dataclasses.replace(self.declared(address, kind, line, "inference_endpoint", properties), links=links)

    def _scalable_target(
        self, resource: Mapping[str, Any], kind: str, line: int, address: str, template: Mapping[str, Any]
    ) -> Resource:
        """Its endpoint: named in ``ResourceId`` (``!Sub endpoint/${Endpoint.EndpointName}/...``),
        else the SageMaker endpoint it ``DependsOn`` when the id is built from parameters."""
        properties = as_dict(resource.get("Properties"))
        assumptions: list[str] = []
        minimum = _count(self.resolve(properties.get("MinCapacity"), assumptions))
        maximum = _count(self.resolve(properties.get("MaxCapacity"), assumptions))
        target = _logical_reference(properties.get("ResourceId"), template)
        if target is None:
            depends = resource.get("DependsOn")
            for logical in [depends] if isinstance(depends, str) else as_list(depends):
                kind_of = as_dict(as_dict(template.get("Resources")).get(logical)).get("Type")
                if kind_of == "AWS::SageMaker::Endpoint":
                    target = f"{kind_of}.{logical}"
        return dataclasses.replace(
            self.declared(address, kind, line, "autoscaler", properties, taggable=False),
            scaling=Scaling(min=minimum, max=maximum, scale_to_zero=minimum == 0),
            links={"scale_target": target} if target else {},
        )

    # Step Functions and Pipelines

    def step_functions(self, states: Mapping[str, Any]) -> None:
        for name, state in states.items():
            state = as_dict(state)
            resource = str(state.get("Resource", ""))
            if "sagemaker:createTrainingJob" in resource:
                parameters = as_dict(_runtime_paths(state.get("Parameters")))
                line = self.line_of(str(name))
                job = parameters.get("TrainingJobName") or name
                self.loaded.resources.append(
                    self.training(
                        parameters, job if job is not UNKNOWN else name, "states:sagemaker:createTrainingJob", line
                    )
                )
            for branch in as_list(state.get("Branches")):
                self.step_functions(as_dict(as_dict(branch).get("States")))
            for key in ("Iterator", "ItemProcessor"):
                self.step_functions(as_dict(as_dict(state.get(key)).get("States")))

    def pipeline(self, definition: Mapping[str, Any]) -> None:
        for step in as_list(definition.get("Steps")):
            step = as_dict(step)
            if step.get("Type") == "Training":
                name = str(step.get("Name", "training"))
                self.loaded.resources.append(
                    self.training(
                        as_dict(step.get("Arguments")), name, "sagemaker:Pipeline:Training", self.line_of("Name")
                    )
                )


def _runtime_paths(value: Any) -> Any:
    """Step Functions: a key ending in ``.$`` takes its value from the state input at run time."""
    if isinstance(value, dict):
        return {
            (k.removesuffix(".$") if isinstance(k, str) else k): (
                UNKNOWN if isinstance(k, str) and k.endswith(".$") else _runtime_paths(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_runtime_paths(v) for v in value]
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _logical_reference(value: Any, template: Mapping[str, Any]) -> str | None:
    """The address of the template resource an intrinsic (``Ref``, ``GetAtt``, ``Sub``) names."""
    resources = as_dict(template.get("Resources"))
    for logical in _referenced(value):
        if logical in resources:
            return f"{as_dict(resources[logical]).get('Type')}.{logical}"
    return None


def _referenced(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt":
                parts = inner if isinstance(inner, list) else str(inner).split(".")
                if parts:
                    yield str(parts[0])
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                yield from (m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", str(text)))
                yield from _referenced(inner)
            else:
                yield from _referenced(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _referenced(inner)


def from_ack(doc: Mapping[str, Any], where: Location) -> Loaded:
    """ACK custom resources: ``TrainingJob`` and ``EndpointConfig`` in camelCase."""
    reader = _Reader(where.path, "")
    spec = _pascal(as_dict(doc.get("spec")))
    kind = str(doc.get("kind"))
    name = spec.get("TrainingJobName") or as_dict(doc.get("metadata")).get("name")
    if kind == "TrainingJob":
        resource = reader.training(spec, name, "TrainingJob", where.line)
    elif kind == "HyperParameterTuningJob":
        tuning_name = spec.get("HyperParameterTuningJobName") or as_dict(doc.get("metadata")).get("name")
        resource = reader.tuning(spec, tuning_name, "HyperParameterTuningJob", where.line)
    elif kind == "EndpointConfig":
        resource = reader.endpoint_config(spec, spec.get("EndpointConfigName", name), "EndpointConfig", where.line)
    else:
        if asks := sorted(set(accelerators.mentions(spec))):
            reader.not_modelled(f"ACK {kind}", f"{kind}/{as_dict(doc.get('metadata')).get('name')}", where, asks)
        return reader.loaded
    reader.loaded.resources.append(dataclasses.replace(resource, location=where))
    return reader.loaded
