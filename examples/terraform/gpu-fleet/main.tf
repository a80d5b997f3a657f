# The configuration behind plan.json (terraform 1.9, hashicorp/aws 5.x):
#   terraform plan -out plan.tfplan && terraform show -json plan.tfplan > plan.json

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      "finops:team"        = "ml-platform"
      "finops:environment" = "prod"
    }
  }
}

variable "region" {
  default = "us-east-1"
}

# A week-long fine-tuning box: untagged for service and cost center.
resource "aws_instance" "trainer" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "p4d.24xlarge"
}

# Fully tagged: passes CW101.
resource "aws_instance" "notebook" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "g6.xlarge"
  tags = {
    "finops:service"     = "research-notebooks"
    "finops:cost-center" = "CC-4512"
  }
}

resource "aws_launch_template" "inference" {
  name_prefix   = "llm-inference-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "g5.2xlarge"
}

# Auto Scaling group tags are tag blocks; provider default_tags never reach them.
resource "aws_autoscaling_group" "inference" {
  name             = "llm-inference"
  min_size         = 2
  max_size         = 8
  desired_capacity = 4
  launch_template {
    id      = aws_launch_template.inference.id
    version = "$Latest"
  }
  tag {
    key                 = "finops:team"
    value               = "ml-serving"
    propagate_at_launch = true
  }
}

module "batch" {
  source = "./modules/batch"
}
