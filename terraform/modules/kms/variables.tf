variable "project_id" {
  description = "Project holding the key ring."
  type        = string
}

variable "location" {
  description = "Region of the key ring; the same as the resources it encrypts (CMEK needs the key in their region)."
  type        = string
}

variable "key_ring_name" {
  description = "Name of the key ring (modules/naming key_ring_name)."
  type        = string
}

variable "keys" {
  description = "Keys by purpose (landing, warehouse, secrets, orchestration), each with the service agents allowed to encrypt and decrypt with it."
  type = map(object({
    encrypter_decrypters = list(string)
  }))
  validation {
    condition     = alltrue([for purpose in keys(var.keys) : can(regex("^[a-z][a-z0-9-]{1,62}$", purpose))])
    error_message = "key purposes must be lowercase names (letters, digits, hyphens)."
  }
  validation {
    condition     = alltrue(flatten([for key in values(var.keys) : [for member in key.encrypter_decrypters : startswith(member, "serviceAccount:")]]))
    error_message = "only service accounts (service agents) may encrypt and decrypt with the keys."
  }
}

variable "rotation_period" {
  description = "Rotation period of every key, in seconds with an s suffix; 90 days or less."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+s$", var.rotation_period)) && tonumber(trimsuffix(var.rotation_period, "s")) <= 7776000
    error_message = "rotation_period must be seconds with an s suffix, at most 7776000s (90 days)."
  }
}

variable "labels" {
  description = "Labels of every key (modules/naming labels)."
  type        = map(string)
}
