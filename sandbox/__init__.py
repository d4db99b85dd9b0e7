"""The per-learner AWS world: accounts backed by moto, stored durably, every call authorized by `iam`."""
