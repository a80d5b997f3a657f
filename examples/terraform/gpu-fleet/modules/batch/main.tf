# GPU node groups for batch embedding jobs: spot, scaled to zero when idle.
resource "aws_eks_node_group" "gpu" {
  for_each        = toset(["a", "b"])
  cluster_name    = "batch"
  node_group_name = "gpu-${each.key}"
  node_role_arn   = "arn:aws:iam::123456789012:role/eks-node"
  subnet_ids      = ["subnet-0123456789abcdef0"]
  instance_types  = ["g6e.12xlarge"]
  capacity_type   = "SPOT"

  scaling_config {
    desired_size = 2
    min_size     = 0
    max_size     = 4
  }

  tags = {
    "finops:service"     = "batch-embeddings"
    "finops:cost-center" = "CC-7781"
  }
}
