#!/bin/bash
docker build --compress -t ml/project1:latest .
