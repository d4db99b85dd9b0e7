"""The imitation of the AWS IAM console: views, forms and templates over `sandbox`."""
