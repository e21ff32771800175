// Placeholder: replaced by the Kafka fetch step.
