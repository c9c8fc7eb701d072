# ruff: noqa: E501  (sample XML, written as producers write it: one element per line)
"""Messages in the framing real systems exchange, written here from the facts in DOMAIN.md §5 and
docs/edxml-real-framing.md (no file of another project is copied): a document, a status, and the
variants producers write. Each builder returns bytes; keyword arguments make the variants."""

from __future__ import annotations

import base64
import io
import zipfile

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
VPCP, LAO_CAI = "000.00.00.G22", "000.00.00.H38"
DOCUMENT_ID = f"{VPCP},2019/04/11,1234/VPCP-TTĐT"
PDF = b"%PDF-1.4\n% a one-page letter\n%%EOF\n"
DOC = b"\xd0\xcf\x11\xe0 an old Word file"


def zipped(data: bytes, entry: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(entry, data)
    return buffer.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def document(
    *,
    date: str = "2019/04/11",
    stamp: str = "2019/04/11 09:15:00",
    bussiness_first: bool = True,
    signature: bool = True,
    root: str = f'<edXML xmlns="{NS}">',
    closing: str = "</edXML>",
    pdf_name: str = "cv.pdf",
) -> bytes:
    bussiness = (
        "<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType><edXML:BussinessDocReason/>"
        "<edXML:Paper>0</edXML:Paper><edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>"
        "<edXML:Staff/><edXML:Email/><edXML:Mobile/></edXML:StaffInfo></edXML:Bussiness>"
    )
    traces = (
        f"<edXML:TraceHeader><edXML:OrganId>{VPCP}</edXML:OrganId><edXML:Timestamp>{stamp}</edXML:Timestamp>"
        "</edXML:TraceHeader>"
        "<edXML:TraceHeader><edXML:OrganId/><edXML:Timestamp>11/04/2019 09:16:02</edXML:Timestamp></edXML:TraceHeader>"
        "<edXML:TraceHeader><edXML:OrganId/><edXML:Timestamp/></edXML:TraceHeader>"
    )
    trace_list = bussiness + traces if bussiness_first else traces + bussiness
    sign = (
        "<Signature><SignedInfo/><SignatureValue>placeholder</SignatureValue></Signature>"
        if signature
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{root}
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>{VPCP}</edXML:OrganId><edXML:OrganizationInCharge/>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName><edXML:OrganAdd/><edXML:Email/>
          <edXML:Telephone/><edXML:Fax/><edXML:Website/></edXML:From>
        <edXML:To><edXML:OrganId>{LAO_CAI}</edXML:OrganId><edXML:OrganName>UBND tỉnh Lào Cai</edXML:OrganName></edXML:To>
        <edXML:DocumentId>{DOCUMENT_ID}</edXML:DocumentId>
        <edXML:Code><edXML:CodeNumber>1234</edXML:CodeNumber><edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>{date}</edXML:PromulgationDate></edXML:PromulgationInfo>
        <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
        <edXML:Subject>V/v triển khai gửi, nhận văn bản điện tử</edXML:Subject>
        <edXML:Content/>
        <edXML:SignerInfo><edXML:Competence>KT. BỘ TRƯỞNG, CHỦ NHIỆM</edXML:Competence><edXML:Position>Phó Chủ nhiệm</edXML:Position><edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
        <edXML:DueDate/>
        <edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:SphereOfPromulgation/><edXML:TyperNotation/>
          <edXML:PromulgationAmount>1</edXML:PromulgationAmount><edXML:PageAmount>1</edXML:PageAmount>
          <edXML:Direction>false</edXML:Direction><edXML:Appendixes/></edXML:OtherInfo>
        <edXML:ResponseFor/>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:ToPlaces><edXML:Place>Như trên</edXML:Place></edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>{trace_list}</edXML:TraceHeaderList>
      {sign}
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0">
      <edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId><edXML:ContentType>application/pdf</edXML:ContentType>
        <edXML:AttachmentName>{pdf_name}</edXML:AttachmentName></edXML:Reference>
      <edXML:Reference><edXML:ContentId>cid:2</edXML:ContentId><edXML:ContentType>application/msword</edXML:ContentType>
        <edXML:Description>Phụ lục</edXML:Description><edXML:AttachmentName>phu-luc.doc</edXML:AttachmentName></edXML:Reference>
    </edXML:edXMLManifest></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment><ContentId>cid:1</ContentId><AttachmentName>{pdf_name}</AttachmentName><ContentType>application/pdf</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">{_b64(PDF)}</edXML:ContentTransferEncoded></Attachment>
    <Attachment><ContentId>cid:2</ContentId><AttachmentName>phu-luc.doc</AttachmentName><ContentType>application/zip</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">{_b64(zipped(DOC, "3f2a9c.doc"))}</edXML:ContentTransferEncoded></Attachment>
  </AttachmentEncoded>
{closing}
""".encode()


def status(*, element: str = "MessageHeader", stamp: str = "2019/04/11 10:00:00", code: str = "03") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:{element}>
        <edXML:From><edXML:OrganId>{LAO_CAI}</edXML:OrganId><edXML:OrganName>UBND tỉnh Lào Cai</edXML:OrganName></edXML:From>
        <edXML:ResponseFor><edXML:OrganId>{VPCP}</edXML:OrganId><edXML:Code>1234/VPCP-TTĐT</edXML:Code>
          <edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate><edXML:DocumentId>{DOCUMENT_ID}</edXML:DocumentId></edXML:ResponseFor>
        <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department><edXML:Staff/><edXML:Email/><edXML:Mobile/></edXML:StaffInfo>
        <edXML:StatusCode>{code}</edXML:StatusCode>
        <edXML:Description>Đã tiếp nhận</edXML:Description>
        <edXML:Timestamp>{stamp}</edXML:Timestamp>
      </edXML:{element}>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>
""".encode()
