# Customer-managed keys: one per purpose so that revoking one (say, the landing key) leaves the others working.

resource "google_kms_key_ring" "this" {
  project  = var.project_id
  name     = var.key_ring_name
  location = var.location
}

resource "google_kms_crypto_key" "keys" {
  for_each = var.keys

  name            = each.key
  key_ring        = google_kms_key_ring.this.id
  rotation_period = var.rotation_period
  purpose         = "ENCRYPT_DECRYPT"
  labels          = var.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = "HSM"
  }

  # Destroying a key makes everything it encrypted unreadable: books and records included.
  lifecycle {
    prevent_destroy = true
  }
}

locals {
  key_grants = merge([
    for purpose, key in var.keys : {
      for member in key.encrypter_decrypters : "${purpose}/${member}" => { purpose = purpose, member = member }
    }
  ]...)
}

resource "google_kms_crypto_key_iam_member" "encrypter_decrypters" {
  for_each = local.key_grants

  crypto_key_id = google_kms_crypto_key.keys[each.value.purpose].id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value.member
}
