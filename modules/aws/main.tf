locals {
  # AWS has tags only: the Gateways' annotations become tags too.
  tags = merge(var.infrastructure.annotations, var.infrastructure.labels)
}

resource "aws_security_group" "fleet" {
  name_prefix = "${var.name}-"
  vpc_id      = var.vpc_id
  tags        = local.tags

  dynamic "ingress" {
    for_each = toset(var.ports)
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_launch_template" "fleet" {
  name_prefix            = "${var.name}-"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.fleet.id]
  tags                   = local.tags
  tag_specifications {
    resource_type = "instance"
    tags          = local.tags
  }
  user_data = base64encode(templatefile("${path.module}/user-data.sh.tftpl", {
    bootstrap     = var.envoy_bootstrap
    envoy_version = var.envoy_version
    node_prefix   = var.name
  }))
}

resource "aws_lb" "fleet" {
  name_prefix        = substr(var.name, 0, 6)
  load_balancer_type = "network"
  subnets            = var.subnet_ids
  tags               = local.tags
}

resource "aws_lb_target_group" "port" {
  for_each    = toset([for p in var.ports : tostring(p)])
  name_prefix = substr(var.name, 0, 6)
  port        = tonumber(each.value)
  protocol    = "TCP"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_lb_listener" "port" {
  for_each          = aws_lb_target_group.port
  load_balancer_arn = aws_lb.fleet.arn
  port              = each.value.port
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = each.value.arn
  }
}

resource "aws_autoscaling_group" "fleet" {
  name_prefix         = "${var.name}-"
  desired_capacity    = var.replicas
  min_size            = var.replicas
  max_size            = var.replicas
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [for tg in aws_lb_target_group.port : tg.arn]
  launch_template {
    id      = aws_launch_template.fleet.id
    version = aws_launch_template.fleet.latest_version
  }
  instance_refresh {
    strategy = "Rolling"
  }
  dynamic "tag" {
    for_each = local.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }
}
