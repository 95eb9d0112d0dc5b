variable "project_id" {
  description = "Project whose logs and metrics the alerts watch (the orchestration project, where the DAG runs and logs)."
  type        = string
}

variable "dag_id" {
  description = "The daily DAG whose failed runs alert."
  type        = string
}

variable "notification_emails" {
  description = "Who is notified (modules/naming refuses none in prod)."
  type        = list(string)
}

variable "labels" {
  description = "User labels of the alert policies (modules/naming labels)."
  type        = map(string)
}
