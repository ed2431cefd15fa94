"""One model per artifact kind (Dockerfile, Kubernetes, rollout plan, smoke test), built from syntax trees."""
